/* The sandbox: bubblewrap's arguments (every namespace unshared, so the
 * job has an empty network namespace of its own; the station's /usr
 * read-only for its interpreters; inputs read-only at /data, code at
 * /code, a private /out and /tmp; nothing else of the room; the root
 * read-only; no capability; dies with its runner) and a seccomp program
 * that refuses every socket but AF_UNIX (so even the namespace's own
 * loopback is out of reach) and io_uring (which could open sockets past
 * the filter). */
#include "internal.h"

#include <errno.h>
#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
    char **v;
    size_t n, cap;
    int failed;
} argv_b;

static void add(argv_b *a, const char *s)
{
    if (a->failed)
        return;
    if (AT_GROW(a->v, a->cap, a->n + 2)) {
        a->failed = 1;
        return;
    }
    if (!(a->v[a->n] = at_strdup(s))) {
        a->failed = 1;
        return;
    }
    a->v[++a->n] = NULL;
}

static void add3(argv_b *a, const char *x, const char *y, const char *z)
{
    add(a, x);
    add(a, y);
    if (z)
        add(a, z);
}

void jobs_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        at_free(argv[i]);
    at_free(argv);
}

at_status jobs_sandbox_argv(const jobs_sandbox *sb, char ***out)
{
    *out = NULL;
    argv_b a = {0};
    add(&a, sb->bwrap);
    add(&a, "--unshare-all"); /* user, ipc, pid, net, uts, cgroup */
    add(&a, "--die-with-parent");
    add(&a, "--new-session");
    add3(&a, "--cap-drop", "ALL", NULL);
    add3(&a, "--uid", "1000", NULL);
    add3(&a, "--gid", "1000", NULL);
    add3(&a, "--hostname", "sandbox", NULL);
    /* the station's programs and libraries, read-only */
    add3(&a, "--ro-bind", "/usr", "/usr");
    add3(&a, "--symlink", "usr/bin", "/bin");
    add3(&a, "--symlink", "usr/sbin", "/sbin");
    add3(&a, "--symlink", "usr/lib", "/lib");
    if (access("/usr/lib64", F_OK) == 0)
        add3(&a, "--symlink", "usr/lib64", "/lib64");
    static const char *const etc[] = {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                      "/etc/ld.so.conf.d", "/etc/localtime",   "/etc/mime.types"};
    for (size_t i = 0; i < sizeof etc / sizeof *etc; i++)
        add3(&a, "--ro-bind-try", etc[i], etc[i]);
    add3(&a, "--proc", "/proc", NULL);
    add3(&a, "--dev", "/dev", NULL);
    /* the CPUs as the station sees them (OpenMP and BLAS count them here) */
    add3(&a, "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu");
    if (sb->gpus > 0) {
        add3(&a, "--ro-bind-try", "/sys/bus/pci", "/sys/bus/pci"); /* CUDA finds its devices there */
        add3(&a, "--ro-bind-try", "/sys/devices", "/sys/devices");
        add3(&a, "--ro-bind-try", "/proc/driver/nvidia", "/proc/driver/nvidia");
        glob_t g;
        if (glob("/dev/nvidia*", 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++)
                add3(&a, "--dev-bind", g.gl_pathv[i], g.gl_pathv[i]);
            globfree(&g);
        }
    }
    /* the job's own folders */
    add3(&a, "--ro-bind", sb->data_dir, "/data");
    if (sb->code_dir)
        add3(&a, "--ro-bind", sb->code_dir, "/code");
    add3(&a, "--bind", sb->out_dir, "/out");
    add3(&a, "--bind", sb->tmp_dir, "/tmp");
    if (sb->engine) {
        add3(&a, "--ro-bind", sb->engine, "/atelier/atelier-engine");
        /* atelier's own data beside the engine (dictionaries, the text
         * models the pipelines read: at_data_path), read-only; never the
         * room's: an installed tree's PREFIX/share/atelier or a build
         * tree's share/atelier (a link, resolved) */
        char dir[4096], real[4096];
        snprintf(dir, sizeof dir, "%s", sb->engine);
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            static const char *const under[2] = {"/../share/atelier", "/share/atelier"};
            for (int i = 0; i < 2; i++) {
                char cand[4200];
                snprintf(cand, sizeof cand, "%s%s", dir, under[i]);
                if (realpath(cand, real)) {
                    add3(&a, "--ro-bind", real, "/atelier/share/atelier");
                    break;
                }
            }
        }
    }
    add3(&a, "--chdir", sb->code_dir ? "/code" : "/out", NULL);
    add(&a, "--clearenv");
    add3(&a, "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin");
    add3(&a, "--setenv", "HOME", "/tmp");
    add3(&a, "--setenv", "TMPDIR", "/tmp");
    add3(&a, "--setenv", "LANG", "C.UTF-8");
    for (size_t i = 0; sb->env && sb->env[i]; i++) {
        const char *eq = strchr(sb->env[i], '=');
        if (!eq)
            continue;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - sb->env[i]), sb->env[i]);
        add3(&a, "--setenv", name, eq + 1);
    }
    if (sb->seccomp_fd >= 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", sb->seccomp_fd);
        add3(&a, "--seccomp", fd, NULL);
    }
    add3(&a, "--remount-ro", "/", NULL);
    add(&a, "--");
    for (size_t i = 0; sb->command[i]; i++)
        add(&a, sb->command[i]);
    if (a.failed) {
        jobs_argv_free(a.v);
        return AT_ERR_NOMEM;
    }
    *out = a.v;
    return AT_OK;
}

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* The filter: another architecture's calls and io_uring refused; a
 * socket of any family but AF_UNIX handed to the runner (notify) or
 * refused (EACCES). */
static size_t filter(struct sock_filter *f, int notify)
{
#ifdef NATIVE_ARCH
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
    unsigned deny = SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA);
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, deny),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1), /* x32 */
        BPF_STMT(BPF_RET | BPF_K, deny),
#else
        BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0),
        BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, notify ? SECCOMP_RET_USER_NOTIF : deny),
    };
    memcpy(f, prog, sizeof prog);
    return sizeof prog / sizeof *prog;
#else
    (void)f;
    (void)notify;
    return 0;
#endif
}

int jobs_seccomp_fd(void)
{
    struct sock_filter f[32];
    size_t n = filter(f, 0);
    if (!n)
        return -1;
    int fd = memfd_create("atelier-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (write(fd, f, n * sizeof *f) != (ssize_t)(n * sizeof *f) || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

at_status at_jobs_sandbox_exec(int notify_fd, char **argv)
{
    struct sock_filter f[32];
    size_t n = filter(f, 1);
    if (!n || !argv || !argv[0])
        return at_error_set(AT_ERR_UNSUPPORTED, "sandbox: no seccomp filter for this architecture");
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return at_error_set(AT_ERR_IO, "sandbox: no_new_privs: %s", strerror(errno));
    int listener =
        (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0) {
        /* a kernel without notification: the refusals are not counted */
        struct sock_filter g[32];
        size_t m = filter(g, 0);
        struct sock_fprog p2 = {.len = (unsigned short)m, .filter = g};
        if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p2) != 0)
            return at_error_set(AT_ERR_IO, "sandbox: seccomp: %s", strerror(errno));
    } else {
        /* the listener goes to the runner, outside */
        char dummy = 'L';
        struct iovec iov = {.iov_base = &dummy, .iov_len = 1};
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof u);
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &listener, sizeof(int));
        if (sendmsg(notify_fd, &msg, 0) != 1)
            return at_error_set(AT_ERR_IO, "sandbox: cannot hand the filter to the runner: %s",
                                strerror(errno));
        close(listener);
    }
    close(notify_fd);
    execvp(argv[0], argv);
    return at_error_set(AT_ERR_IO, "sandbox: cannot run %s: %s", argv[0], strerror(errno));
}

int jobs_notify_receive(int sock)
{
    char dummy;
    struct iovec iov = {.iov_base = &dummy, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int jobs_notify_answer(int listener, int *family, int *pid)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
        return -1;
    *family = (int)req.data.args[0];
    *pid = (int)req.pid;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.error = -EACCES;
    resp.val = 0;
    resp.flags = 0;
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 || errno == ENOENT ? 0 : -1;
}
