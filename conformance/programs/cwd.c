// Prints the working directory the program starts in and reads a file by a relative name.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  char buf[256];
  printf("cwd %s\n", getcwd(buf, sizeof buf) ? buf : "(none)");
  FILE *f = fopen("note.txt", "r");
  if (f && fgets(buf, sizeof buf, f)) printf("note.txt %s", buf);
  else printf("note.txt missing\n");
  if (f) fclose(f);
  f = fopen("out.txt", "w");
  if (f) { fputs("written\n", f); fclose(f); }
  // chdir is linked so the box can start the program in its WORKDIR
  if (argc > 1 && chdir(argv[1]) != 0) return 1;
  return 0;
}
