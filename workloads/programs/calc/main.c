#include <stdio.h>
#include "calc.h"
int main(void) { printf("%d %d %d %d\n", add(2, 3), sub(9, 4), mul(4, 5), divide(20, 6)); return 0; }
