// Prints the working directory the program starts in and reads a file by a relative name.
use std::io::Write;

fn main() {
    println!("cwd {}", std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|e| format!("({e})")));
    match std::fs::read_to_string("note.txt") {
        Ok(s) => print!("note.txt {s}"),
        Err(_) => println!("note.txt missing"),
    }
    if let Ok(mut f) = std::fs::File::create("out.txt") {
        let _ = f.write_all(b"written\n");
    }
    // set_current_dir links wasi-libc's chdir, which lets the box start the program in its WORKDIR
    if let Some(dir) = std::env::args().nth(1) {
        std::env::set_current_dir(dir).unwrap();
    }
}
