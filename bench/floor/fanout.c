// The floor under "write to notified": how long this machine takes to hand one small message to each of
// N loopback TCP connections, with no HTTP, no runtime and no store in the way. One process (pinned
// where the servers run) accepts N connections and, round after round, send(2)s its clock reading to
// each; a second one (pinned where the load driver runs) reads them all through one epoll set and
// takes each reading away from its own clock. No server that gives each watcher a connection of its
// own can notify faster than this; bench/config prints it beside the servers' figures.
// Usage: fanout CONNECTIONS ROUNDS SENDER_CPU READER_CPU   (prints "p50_ms p99_ms")
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t clock_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (cpu >= 0 && sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
}

static int by_value(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void fail(const char *what) {
    perror(what);
    exit(2);
}

// Reads every message of every round and prints the percentiles of their delays.
static int read_all(const struct sockaddr_in *server, int connections, int rounds, int cpu, int ready) {
    pin_to(cpu);
    int epoll = epoll_create1(0), yes = 1;
    for (int i = 0; i < connections; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        if (connect(c, (const struct sockaddr *)server, sizeof *server) != 0) fail("connect");
        struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(epoll, EPOLL_CTL_ADD, c, &e);
    }
    if (write(ready, "r", 1) != 1) fail("write");
    long expected = (long)connections * rounds, got = 0;
    int64_t *delays = malloc(sizeof *delays * expected);
    struct epoll_event events[1024];
    while (got < expected) {
        int n = epoll_wait(epoll, events, 1024, 10000);
        if (n <= 0) fail("epoll_wait (no message for 10 s)");
        for (int i = 0; i < n; i++) {
            int64_t sent[64];
            ssize_t bytes = recv(events[i].data.fd, sent, sizeof sent, 0);
            int64_t now = clock_ns();
            for (ssize_t j = 0; j < bytes / 8 && got < expected; j++) delays[got++] = now - sent[j];
        }
    }
    qsort(delays, got, sizeof *delays, by_value);
    printf("%.3f %.3f\n", delays[got / 2] / 1e6, delays[got * 99 / 100] / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: fanout CONNECTIONS ROUNDS SENDER_CPU READER_CPU (a CPU of -1: not pinned)\n");
        return 2;
    }
    int connections = atoi(argv[1]), rounds = atoi(argv[2]), sender_cpu = atoi(argv[3]), reader_cpu = atoi(argv[4]);
    int listener = socket(AF_INET, SOCK_STREAM, 0), yes = 1;
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof server;
    if (bind(listener, (struct sockaddr *)&server, sizeof server) != 0 || listen(listener, 4096) != 0) fail("listen");
    getsockname(listener, (struct sockaddr *)&server, &length);
    int ready[2];
    if (pipe(ready) != 0) fail("pipe");
    pid_t reader = fork();
    if (reader == 0) return read_all(&server, connections, rounds, reader_cpu, ready[1]);

    pin_to(sender_cpu);
    int *sockets = malloc(sizeof *sockets * connections);
    for (int i = 0; i < connections; i++) {
        if ((sockets[i] = accept(listener, NULL, NULL)) < 0) fail("accept");
        setsockopt(sockets[i], IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    }
    char r;
    if (read(ready[0], &r, 1) != 1) fail("read");
    for (int round = 0; round < rounds; round++) {
        int64_t now = clock_ns();
        for (int i = 0; i < connections; i++) {
            if (send(sockets[i], &now, sizeof now, 0) != sizeof now) fail("send");
        }
        usleep(20000);   // as the bench's writes: one after another, each given time to arrive
    }
    int status;
    waitpid(reader, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
