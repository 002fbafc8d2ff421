/*
 * nomia-client: the `nomia` command when a daemon is running (docs/engine.md,
 * "Spare CLI processes"). It finds the daemon's socket by the CLI's rule for
 * the store (--store DIR, else $NOMIA_HOME, else /var/lib/nomia if this user
 * may write or create it, else $XDG_DATA_HOME/nomia or ~/.local/share/nomia;
 * the socket is <store>/daemon.sock), sends the command line with the
 * caller's working directory, environment, umask, pid and terminal facts
 * (the "run" op of docs/spec/protocol.md), writes the frames it gets back to
 * its own stdout and stderr, and exits with the command's status. The
 * command reads this process's standard input as /proc/<pid>/fd/0, or, for
 * a socket, asks for it ('I') and gets it copied over the connection.
 *
 * No daemon, a daemon that says "fall back" (another store, another
 * version, stale code, a command that runs itself) or anything unexpected
 * before the command started: it execs the Node CLI, <package>/bin/nomia.js,
 * with the same arguments, so behaviour never differs, only speed.
 * NOMIA_NO_DAEMON=1 always runs the Node CLI.
 *
 * Written in C, not Node: the point is to start in a millisecond, and Node
 * alone takes 60-80 ms here (docs/dependencies.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static char package_root[PATH_MAX];
static char node_cli[PATH_MAX + 32];
static char **cli_argv;
static volatile sig_atomic_t spare_group = 0;
/* A signal that came before the command started: sent to it once it has, or taken by this process on a fall-back. */
static volatile sig_atomic_t pending_signal = 0;

/* Run the Node CLI in this process's place: the answer for everything this client does not handle. */
static void fall_back(int sock) {
  if (sock >= 0) close(sock);
  if (pending_signal) {
    signal(pending_signal, SIG_DFL);
    raise(pending_signal);
  }
  cli_argv[0] = node_cli;
  execv(node_cli, cli_argv);
  fprintf(stderr, "nomia: cannot run %s: %s\n", node_cli, strerror(errno));
  exit(127);
}

/* A growing byte buffer for the request. */
struct buf { char *data; size_t len, cap; };

static int put(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    while (b->len + n + 1 > cap) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  return 0;
}

static int puts_(struct buf *b, const char *s) { return put(b, s, strlen(s)); }

/* Whether `s` is valid UTF-8 (JSON carries only text; anything else is the Node CLI's to take as it does). */
static int valid_utf8(const unsigned char *s) {
  while (*s) {
    int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;
    if (n < 0 || (n == 1 && *s < 0xc2)) return 0;
    s++;
    for (int i = 0; i < n; i++, s++) if ((*s & 0xc0) != 0x80) return 0;
  }
  return 1;
}

/* `s` as a JSON string; -1 when it is not UTF-8. */
static int put_json(struct buf *b, const char *s) {
  if (!valid_utf8((const unsigned char *)s)) return -1;
  if (puts_(b, "\"")) return -1;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    if (*p == '"' || *p == '\\') { esc[0] = '\\'; esc[1] = (char)*p; esc[2] = 0; }
    else if (*p < 0x20) snprintf(esc, sizeof esc, "\\u%04x", *p);
    else { esc[0] = (char)*p; esc[1] = 0; }
    if (puts_(b, esc)) return -1;
  }
  return puts_(b, "\"");
}

/* Whether this user may write `dir`, or create it in its parent (store/layout.ts, canHold). */
static int can_hold(const char *dir) {
  struct stat st;
  if (access(dir, W_OK | X_OK) == 0) return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
  if (errno != ENOENT) return 0;
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (!slash) return 0;
  if (slash == parent) slash[1] = 0; else *slash = 0;
  return access(parent, W_OK | X_OK) == 0 && stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The store the CLI would open (store/layout.ts, storeHome; cli/store-options.ts), into `out`; -1 when
 * the command line is not one this client reads the same way (`--store` twice, or without a value).
 */
static int store_of(int argc, char **argv, char *out, size_t size) {
  const char *given = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    const char *v = NULL;
    if (strcmp(argv[i], "--store") == 0) { if (i + 1 >= argc) return -1; v = argv[++i]; }
    else if (strncmp(argv[i], "--store=", 8) == 0) v = argv[i] + 8;
    if (v) { if (given) return -1; given = v; }
  }
  const char *home = getenv("NOMIA_HOME");
  if (given && *given) snprintf(out, size, "%s", given);
  else if (home && *home) snprintf(out, size, "%s", home);
  else if (can_hold("/var/lib/nomia")) snprintf(out, size, "/var/lib/nomia");
  else {
    const char *data = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
    if (data && *data) snprintf(out, size, "%s/nomia", data);
    else if (h && *h) snprintf(out, size, "%s/.local/share/nomia", h);
    else return -1;
  }
  return 0;
}

/* Read exactly `n` bytes; 0 on success, -1 on end of file or error. */
static int read_all(int fd, void *p, size_t n) {
  char *c = p;
  while (n > 0) {
    ssize_t r = read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    c += r;
    n -= (size_t)r;
  }
  return 0;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* One frame (src/daemon/frames.ts): its type, its payload in *payload (malloc'd), its length; -1 at the end. */
static long read_frame(int sock, char *type, char **payload) {
  unsigned char head[5];
  if (read_all(sock, head, 5)) return -1;
  *type = (char)head[0];
  uint32_t n = ((uint32_t)head[1] << 24) | ((uint32_t)head[2] << 16) | ((uint32_t)head[3] << 8) | head[4];
  if (n > (1u << 24)) return -1;
  *payload = malloc(n + 1);
  if (!*payload || read_all(sock, *payload, n)) return -1;
  (*payload)[n] = 0;
  return (long)n;
}

/* The caller's Ctrl-C, SIGTERM, hang-up or quit goes to the command's process group, as a terminal's would. */
static void forward(int sig) {
  if (spare_group > 0) kill(-(pid_t)spare_group, sig);
  else pending_signal = sig;
}

/* The package root: two levels above this program (<package>/client/nomia-client). */
static int find_package(void) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return -1;
  self[n] = 0;
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(self, '/');
    if (!slash || slash == self) return -1;
    *slash = 0;
  }
  snprintf(package_root, sizeof package_root, "%s", self);
  snprintf(node_cli, sizeof node_cli, "%s/bin/nomia.js", self);
  return 0;
}

/* The request: {"op":"run", argv, cwd, env, pid, umask, tty, package, store}; -1 when something cannot be said in it. */
static int request(struct buf *b, int argc, char **argv, const char *store) {
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return -1;
  if (puts_(b, "{\"id\":1,\"op\":\"run\",\"argv\":[")) return -1;
  for (int i = 1; i < argc; i++) if ((i > 1 && puts_(b, ",")) || put_json(b, argv[i])) return -1;
  if (puts_(b, "],\"cwd\":") || put_json(b, cwd) || puts_(b, ",\"env\":{")) return -1;
  int first = 1;
  for (char **e = environ; *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq) continue;
    char *key = strndup(*e, (size_t)(eq - *e));
    if (!key) return -1;
    int bad = (!first && puts_(b, ",")) || put_json(b, key) || puts_(b, ":") || put_json(b, eq + 1);
    free(key);
    if (bad) return -1;
    first = 0;
  }
  mode_t mask = umask(0);
  umask(mask);
  struct winsize ws;
  int columns = 0;
  if ((isatty(2) && ioctl(2, TIOCGWINSZ, &ws) == 0) || (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0)) columns = ws.ws_col;
  char tail[256];
  snprintf(tail, sizeof tail, "},\"pid\":%ld,\"umask\":%u,\"tty\":{\"stdin\":%s,\"stdout\":%s,\"stderr\":%s,\"columns\":%d},\"package\":",
           (long)getpid(), (unsigned)mask, isatty(0) ? "true" : "false", isatty(1) ? "true" : "false", isatty(2) ? "true" : "false", columns);
  if (puts_(b, tail) || put_json(b, package_root) || puts_(b, ",\"store\":") || put_json(b, store) || puts_(b, "}\n")) return -1;
  return 0;
}

int main(int argc, char **argv) {
  cli_argv = argv;
  if (find_package()) {
    fprintf(stderr, "nomia: cannot find the package this client belongs to\n");
    return 127;
  }
  const char *off = getenv("NOMIA_NO_DAEMON");
  if (off && *off && strcmp(off, "0") != 0) fall_back(-1);

  char store[PATH_MAX];
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (store_of(argc, argv, store, sizeof store)) fall_back(-1);
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/daemon.sock", store) >= sizeof addr.sun_path) fall_back(-1);
  /* From here a signal is the command's: held until it starts (it may be starting already), then sent to it. */
  struct sigaction sa = { .sa_handler = forward };
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaction(forwarded[i], &sa, NULL);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) fall_back(-1);
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) fall_back(sock);

  struct buf b = { 0 };
  if (request(&b, argc, argv, store)) fall_back(sock);
  /* A daemon that closes the connection early is "anything unexpected": no SIGPIPE death before the command started. */
  signal(SIGPIPE, SIG_IGN);
  if (write_all(sock, b.data, b.len)) fall_back(sock);
  free(b.data);

  char type;
  char *payload;
  if (read_frame(sock, &type, &payload) < 0 || type != 'P') fall_back(sock);
  pid_t group = (pid_t)atol(payload);
  free(payload);
  if (group <= 0) fall_back(sock);
  spare_group = group;
  if (pending_signal) kill(-group, pending_signal);

  int relaying = 0; /* copying this process's stdin to the command ('I') */
  for (;;) {
    if (relaying) {
      struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
      if (poll(p, 2, -1) < 0) continue; /* EINTR: a forwarded signal */
      if (p[1].revents) {
        char data[65536];
        ssize_t r = read(0, data, sizeof data);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0 || write_all(sock, data, (size_t)r)) {
          shutdown(sock, SHUT_WR);
          relaying = 0;
        }
      }
      if (!p[0].revents) continue;
    }
    long n = read_frame(sock, &type, &payload);
    if (n < 0) {
      fprintf(stderr, "nomia: the daemon closed the connection before the command finished\n");
      return 1;
    }
    if (type == '1' || type == '2') {
      /* A reader that stopped early (`nomia … | head`) ends the command, as the Node CLI's EPIPE handler does. */
      if (write_all(type == '1' ? 1 : 2, payload, (size_t)n) && errno == EPIPE) return 0;
    } else if (type == 'I') {
      relaying = 1;
    } else if (type == 'X') {
      return atoi(payload);
    }
    free(payload);
  }
}
