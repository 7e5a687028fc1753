#include "calc.h"
int divide(int a, int b) { int q = 0; while (a >= b) { a = sub(a, b); q = add(q, 1); } return q; }
