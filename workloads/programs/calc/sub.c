#include "calc.h"
int sub(int a, int b) { return add(a, -b); }
