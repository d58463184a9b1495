#include <stdio.h>
int main(int c, char **v) { FILE *f = fopen(v[1], "w"); fprintf(f, "/* todo */\n"); fclose(f); return 0; }
