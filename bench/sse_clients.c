// N event-stream clients on one kiosk screen, in one epoll loop: how long after the schedule's page change each
// client has the page (the event's "validFrom" against the arrival time). A client in C so that the measuring
// side costs next to nothing. Usage: sse_clients PORT SCREEN CLIENTS CHANGES. Prints `name: value unit` lines.
// Each client connects from its own loopback address (127.1.X.Y: all of 127/8 is this machine), as browsers on a
// network do: the listener takes at most 256 connections from one address.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct { int fd; char *buf; size_t len, cap; int seen; } Client;

static double now_ms(void) { struct timeval t; gettimeofday(&t, NULL); return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s PORT SCREEN CLIENTS CHANGES\n", argv[0]); return 2; }
    int port = atoi(argv[1]), n = atoi(argv[3]), changes = atoi(argv[4]);
    const char *screen = argv[2];
    Client *clients = calloc(n, sizeof(Client));
    double *delays = malloc(sizeof(double) * n * changes);
    size_t count = 0;
    int ep = epoll_create1(0);
    char request[512];
    snprintf(request, sizeof request, "GET /screens/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", screen);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in from = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl((127u << 24) | (1u << 16) | ((i / 250) << 8) | (i % 250 + 1)) };
        if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof from) != 0) { perror("bind"); return 1; }
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
        if (write(fd, request, strlen(request)) < 0) { perror("write"); return 1; }
        clients[i] = (Client){ .fd = fd, .cap = 1 << 16, .buf = malloc(1 << 16) };
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    // Only page changes scheduled after every client is connected count. Said on standard error, so that the
    // caller measures memory with every stream open.
    fprintf(stderr, "connected\n");
    double start = now_ms();
    int done = 0;
    struct epoll_event events[256];
    char chunk[65536];
    while (done < n && now_ms() - start < 60000.0 + changes * 10000.0) {
        int ready = epoll_wait(ep, events, 256, 1000);
        double arrived = now_ms();
        for (int e = 0; e < ready; e++) {
            Client *c = &clients[events[e].data.u32];
            ssize_t got = read(c->fd, chunk, sizeof chunk);
            if (got <= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); if (c->seen < changes) done++; c->seen = changes; continue; }
            if (c->len + got + 1 > c->cap) { c->cap = (c->len + got + 1) * 2; c->buf = realloc(c->buf, c->cap); }
            memcpy(c->buf + c->len, chunk, got);
            c->len += got;
            c->buf[c->len] = 0;
            char *line;
            while ((line = memmem(c->buf, c->len, "\n\n", 2)) != NULL) {  // one whole event
                size_t used = line - c->buf + 2;
                char *from = memmem(c->buf, used, "\"validFrom\":", 12);
                if (from && c->seen < changes) {
                    double since = strtod(from + 12, NULL);
                    if (since >= start) {
                        delays[count++] = arrived - since;
                        if (++c->seen == changes) done++;
                    }
                }
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
            }
        }
    }
    qsort(delays, count, sizeof(double), cmp);
    if (count == 0) { printf("push_deliveries: 0\n"); return 1; }
    printf("push_clients: %d\n", n);
    printf("push_deliveries: %zu (%d page changes)\n", count, changes);
    printf("push_p50: %.1f ms\n", delays[count / 2]);
    printf("push_p99: %.1f ms (target under 100 ms)\n", delays[(size_t)(count * 0.99) < count ? (size_t)(count * 0.99) : count - 1]);
    printf("push_max: %.1f ms\n", delays[count - 1]);
    return 0;
}
