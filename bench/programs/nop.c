/* nop: returns at once; the start-up benchmark links it with images of different sizes. */
int main(void) { return 0; }
