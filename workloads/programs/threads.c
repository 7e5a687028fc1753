#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
static void *work(void *arg) {
    size_t n = (size_t)arg;
    char *p = malloc(n);
    memset(p, 1, n);
    char *q = realloc(p, n * 4);
    memset(q, 2, n * 4);
    free(q);
    return NULL;
}
int main(void) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, (void *)(size_t)(200000 * (i + 1)));
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    char *big = malloc(300000);
    memset(big, 3, 300000);
    big = realloc(big, 900000);
    printf("%d\n", big[0]);
    return 0;
}
