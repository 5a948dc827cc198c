/*
 * Order-preserving TCP delay proxy: every chunk read from one side is written to the other side
 * `delay` microseconds after it arrived, in arrival order. No throughput limit of its own: chunks
 * are read as they come and released at arrival + delay.
 *
 * Built at bench start with the machine's gcc (bench/src/proxy/nativeDelayProxy.ts) because
 * Node's timers are about 1 ms coarse and sub-millisecond delays need a precise clock: this uses
 * a timerfd with an absolute CLOCK_MONOTONIC deadline, 1 ns timer slack, and a short spin for
 * the last few microseconds.
 *
 * usage: delay_proxy <listen_port|0> <target_host> <target_port> <up_delay_us> <down_delay_us>
 * Prints "PORT <n>" on stdout once listening. Exits when stdin closes (the parent went away).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE 65536
#define MAX_PAIRS 256
#define SPIN_NS 30000LL

typedef struct chunk {
  struct chunk *next;
  int64_t release_ns;
  size_t len;
  size_t off;
  char data[];
} chunk;

typedef struct direction {
  int src;
  int dst;
  int64_t delay_ns;
  chunk *head;
  chunk *tail;
  int src_eof;      /* source said EOF: shut down dst's write side once the queue drains */
  int dst_blocked;  /* dst returned EAGAIN: wait for EPOLLOUT */
  int shut;         /* dst write side already shut down */
} direction;

typedef struct pair {
  int used;
  int client;
  int server;
  direction up;   /* client -> server */
  direction down; /* server -> client */
  uint32_t client_events; /* what epoll currently watches, to skip needless epoll_ctl calls */
  uint32_t server_events;
} pair;

static pair pairs[MAX_PAIRS];
static int epfd;
static int tfd;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The epoll tag of an fd: pair index * 2 + (0 for client, 1 for server). */
static void watch(int fd, uint64_t tag, uint32_t events, int op) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.u64 = tag;
  epoll_ctl(epfd, op, fd, &ev);
}

static void free_queue(direction *d) {
  chunk *c = d->head;
  while (c) {
    chunk *n = c->next;
    free(c);
    c = n;
  }
  d->head = d->tail = NULL;
}

static void close_pair(int i) {
  pair *p = &pairs[i];
  if (!p->used) return;
  if (p->client_events != UINT32_MAX) epoll_ctl(epfd, EPOLL_CTL_DEL, p->client, NULL);
  if (p->server_events != UINT32_MAX) epoll_ctl(epfd, EPOLL_CTL_DEL, p->server, NULL);
  close(p->client);
  close(p->server);
  free_queue(&p->up);
  free_queue(&p->down);
  p->used = 0;
}

static void update_fd(int fd, uint64_t tag, uint32_t *current, uint32_t wanted, int done) {
  if (*current == UINT32_MAX) return; /* already removed */
  if (done) {
    /* Nothing left to read or write: stop watching, or EPOLLHUP would fire forever. */
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    *current = UINT32_MAX;
  } else if (wanted != *current) {
    watch(fd, tag, wanted, EPOLL_CTL_MOD);
    *current = wanted;
  }
}

static void update_watch(int i) {
  pair *p = &pairs[i];
  /* The client fd is the source of `up` and the destination of `down`, and vice versa. */
  uint32_t cev = (p->up.src_eof ? 0 : EPOLLIN) | (p->down.dst_blocked ? EPOLLOUT : 0);
  uint32_t sev = (p->down.src_eof ? 0 : EPOLLIN) | (p->up.dst_blocked ? EPOLLOUT : 0);
  update_fd(p->client, (uint64_t)i * 2, &p->client_events, cev, p->up.src_eof && p->down.shut);
  update_fd(p->server, (uint64_t)i * 2 + 1, &p->server_events, sev, p->down.src_eof && p->up.shut);
}

/* Reads everything available from d->src into timestamped chunks. Returns -1 on error. */
static int pump_in(direction *d) {
  for (;;) {
    chunk *c = malloc(sizeof(chunk) + READ_SIZE);
    if (!c) return -1;
    ssize_t n = read(d->src, c->data, READ_SIZE);
    if (n > 0) {
      c->next = NULL;
      c->len = (size_t)n;
      c->off = 0;
      c->release_ns = now_ns() + d->delay_ns;
      if (d->tail) d->tail->next = c; else d->head = c;
      d->tail = c;
      continue;
    }
    free(c);
    if (n == 0) {
      d->src_eof = 1;
      return 0;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno == EINTR) continue;
    return -1;
  }
}

/* Writes every chunk that is due. Returns -1 on error. */
static int pump_out(direction *d, int64_t now) {
  while (d->head && !d->dst_blocked && d->head->release_ns <= now) {
    chunk *c = d->head;
    ssize_t n = write(d->dst, c->data + c->off, c->len - c->off);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        d->dst_blocked = 1;
        return 0;
      }
      if (errno == EINTR) continue;
      return -1;
    }
    c->off += (size_t)n;
    if (c->off == c->len) {
      d->head = c->next;
      if (!d->head) d->tail = NULL;
      free(c);
    }
  }
  if (!d->head && d->src_eof && !d->shut) {
    shutdown(d->dst, SHUT_WR);
    d->shut = 1;
  }
  return 0;
}

static int connect_target(const struct sockaddr_in *target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, (const struct sockaddr *)target, sizeof *target) < 0) {
    close(fd);
    return -1;
  }
  set_nonblock(fd);
  set_nodelay(fd);
  return fd;
}

static void accept_all(int lfd, const struct sockaddr_in *target, int64_t up_ns, int64_t down_ns) {
  for (;;) {
    int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    if (cfd < 0) return;
    set_nodelay(cfd);
    int sfd = connect_target(target);
    int i;
    for (i = 0; i < MAX_PAIRS && pairs[i].used; i++) {}
    if (sfd < 0 || i == MAX_PAIRS) {
      close(cfd);
      if (sfd >= 0) close(sfd);
      continue;
    }
    pair *p = &pairs[i];
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->client = cfd;
    p->server = sfd;
    p->up.src = cfd;
    p->up.dst = sfd;
    p->up.delay_ns = up_ns;
    p->down.src = sfd;
    p->down.dst = cfd;
    p->down.delay_ns = down_ns;
    p->client_events = EPOLLIN;
    p->server_events = EPOLLIN;
    watch(cfd, (uint64_t)i * 2, EPOLLIN, EPOLL_CTL_ADD);
    watch(sfd, (uint64_t)i * 2 + 1, EPOLLIN, EPOLL_CTL_ADD);
  }
}

static void arm_timer(int64_t deadline) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (deadline > 0) {
    its.it_value.tv_sec = deadline / 1000000000LL;
    its.it_value.tv_nsec = deadline % 1000000000LL;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s <listen_port> <target_host> <target_port> <up_us> <down_us>\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_TIMERSLACK, 1UL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  int64_t up_ns = atoll(argv[4]) * 1000LL;
  int64_t down_ns = atoll(argv[5]) * 1000LL;

  struct sockaddr_in target;
  memset(&target, 0, sizeof target);
  target.sin_family = AF_INET;
  target.sin_port = htons((uint16_t)atoi(argv[3]));
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(argv[2], NULL, &hints, &res) != 0) {
    fprintf(stderr, "cannot resolve %s\n", argv[2]);
    return 1;
  }
  target.sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
  freeaddrinfo(res);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons((uint16_t)atoi(argv[1]));
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 128) < 0) {
    perror("listen");
    return 1;
  }
  socklen_t alen = sizeof addr;
  getsockname(lfd, (struct sockaddr *)&addr, &alen);
  printf("PORT %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  epfd = epoll_create1(0);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  const uint64_t LISTEN_TAG = UINT64_MAX, TIMER_TAG = UINT64_MAX - 1, STDIN_TAG = UINT64_MAX - 2;
  watch(lfd, LISTEN_TAG, EPOLLIN, EPOLL_CTL_ADD);
  watch(tfd, TIMER_TAG, EPOLLIN, EPOLL_CTL_ADD);
  watch(0, STDIN_TAG, EPOLLIN, EPOLL_CTL_ADD);

  struct epoll_event events[64];
  for (;;) {
    /* Release what is due; spin through the last few microseconds before a deadline. */
    int64_t next = 0;
    for (;;) {
      int64_t now = now_ns();
      next = 0;
      for (int i = 0; i < MAX_PAIRS; i++) {
        if (!pairs[i].used) continue;
        if (pump_out(&pairs[i].up, now) < 0 || pump_out(&pairs[i].down, now) < 0) {
          close_pair(i);
          continue;
        }
        if ((pairs[i].up.shut && pairs[i].down.shut)) {
          close_pair(i);
          continue;
        }
        update_watch(i);
        direction *ds[2] = {&pairs[i].up, &pairs[i].down};
        for (int k = 0; k < 2; k++) {
          if (ds[k]->head && !ds[k]->dst_blocked && (next == 0 || ds[k]->head->release_ns < next)) {
            next = ds[k]->head->release_ns;
          }
        }
      }
      if (next == 0 || next - now_ns() > SPIN_NS) break;
      while (now_ns() < next) {}
    }
    arm_timer(next);

    int n = epoll_wait(epfd, events, 64, -1);
    if (n < 0 && errno != EINTR) return 1;
    for (int e = 0; e < n; e++) {
      uint64_t tag = events[e].data.u64;
      if (tag == LISTEN_TAG) {
        accept_all(lfd, &target, up_ns, down_ns);
      } else if (tag == TIMER_TAG) {
        uint64_t expirations;
        (void)!read(tfd, &expirations, sizeof expirations);
      } else if (tag == STDIN_TAG) {
        char buf[256];
        if (read(0, buf, sizeof buf) <= 0) return 0;
      } else {
        int i = (int)(tag / 2);
        pair *p = &pairs[i];
        if (!p->used) continue;
        int is_server = (int)(tag % 2);
        direction *in = is_server ? &p->down : &p->up;   /* what this fd feeds */
        direction *out = is_server ? &p->up : &p->down;  /* what this fd receives */
        uint32_t ev = events[e].events;
        if (ev & EPOLLERR) {
          close_pair(i);
          continue;
        }
        if (ev & EPOLLOUT) out->dst_blocked = 0;
        if ((ev & (EPOLLIN | EPOLLHUP)) && !in->src_eof && pump_in(in) < 0) {
          close_pair(i);
          continue;
        }
        if ((ev & EPOLLHUP) && in->src_eof && !out->shut) {
          /* Hung up both ways: what is still queued for this fd can never be delivered. */
          free_queue(out);
          out->shut = 1;
        }
      }
    }
  }
}
