/*
 * pinlab host agent: a puppet process for `pinlab host` (issue 20).
 *
 * It reads one JSON request per line on stdin and writes one JSON answer per line on stdout, each
 * answer carrying the request's "id". Requests are flat objects of strings, integers and booleans;
 * the protocol is documented in docs/reference/host-agent.md and typed in
 * packages/cli/src/host/protocol.ts. Answers:
 *   {"id":N,"ok":true,...}                                        the call succeeded
 *   {"id":N,"ok":false,"errno":E,"name":"EFAULT","call":"mmap"}   the kernel refused
 *   {"id":N|null,"ok":false,"error":"..."}                        the request was not understood
 *
 * Kernel interfaces: /proc/self/pagemap and /proc/kpagecount, /proc/kpageflags
 * (Documentation/admin-guide/mm/pagemap.rst); io_uring fixed buffers, pinned with
 * FOLL_WRITE | FOLL_LONGTERM by io_uring/rsrc.c io_sqe_buffers_register, and IO through them
 * (io_uring/rw.c READ_FIXED / WRITE_FIXED; raw syscalls, no liburing); vmsplice into a pipe
 * (fs/splice.c vmsplice_to_pipe -> iov_iter_get_pages2: FOLL_GET references); O_DIRECT IO;
 * /proc/self/mem (fs/proc/base.c mem_rw -> access_remote_vm, FOLL_FORCE); fork, whose child
 * serves the same protocol on a unix socket.
 * Memory accesses (write, read, touch) are real user accesses: a fault on a bad address is caught
 * (SIGSEGV / SIGBUS) and answered as EFAULT instead of killing the agent.
 *
 * Plain C99 + Linux headers. Build: cc -std=c99 -Wall -Wextra -Werror -O2 -o agent agent.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/io_uring.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
/* include/uapi/asm-generic/hugetlb_encode.h: log2(huge page size) << 26, for mmap and memfd_create. */
#define HUGE_ENCODE(log2) ((unsigned)(log2) << 26)
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#endif

/* ---------- output buffer ---------- */

static char *out;
static size_t out_len, out_cap;

static void out_put(const char *s, size_t n)
{
	if (out_len + n + 1 > out_cap) {
		size_t cap = out_cap ? out_cap : 4096;
		while (out_len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(out, cap);
		if (!p) {
			fputs("pinlab-agent: out of memory\n", stderr);
			exit(70);
		}
		out = p;
		out_cap = cap;
	}
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = 0;
}

static void out_str(const char *s) { out_put(s, strlen(s)); }

static void out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out_fmt(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_put(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A JSON string literal, escaped. */
static void out_json_str(const char *s)
{
	out_put("\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			out_put(e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			out_fmt("\\u%04x", c);
		} else {
			out_put((const char *)&c, 1);
		}
	}
	out_put("\"", 1);
}

/* Where answers go: stdout, or in a forked child its socket. */
static int out_fd = 1;

static void out_flush(void)
{
	out_put("\n", 1);
	for (size_t done = 0; done < out_len;) {
		ssize_t n = write(out_fd, out + done, out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the reader is gone; the next read sees EOF */
		done += (size_t)n;
	}
	out_len = 0;
}

static const char hex_digits[] = "0123456789abcdef";

/* `n` bytes as lowercase hex digits (no quotes). */
static void out_hex(const unsigned char *p, size_t n)
{
	char buf[512];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		buf[k++] = hex_digits[p[i] >> 4];
		buf[k++] = hex_digits[p[i] & 15];
		if (k == sizeof buf) {
			out_put(buf, k);
			k = 0;
		}
	}
	out_put(buf, k);
}

/* ---------- request parser: one flat object of strings, integers, booleans ---------- */

enum vtype { V_STR, V_INT, V_BOOL };
#define MAX_FIELDS 20
#define MAX_KEY 32

struct field {
	char key[MAX_KEY];
	enum vtype type;
	char *str; /* V_STR, owned */
	size_t str_len;
	long long num; /* V_INT, V_BOOL */
};

static struct field fields[MAX_FIELDS];
static int nfields;
static const char *perr; /* parse error message */

static void fields_free(void)
{
	for (int i = 0; i < nfields; i++)
		free(fields[i].str);
	nfields = 0;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses a JSON string at p (on the opening quote) into a malloc'd buffer; NUL bytes are refused. */
static const char *parse_string(const char *p, char **res, size_t *res_len)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	if (!s) {
		perr = "out of memory";
		return NULL;
	}
	p++;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == 0) {
			perr = "unterminated string";
			goto fail;
		}
		if (c == '"') {
			p++;
			break;
		}
		if (c < 0x20) {
			perr = "control character in string";
			goto fail;
		}
		if (c == '\\') {
			p++;
			switch (*p) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				int v = 0;
				for (int i = 1; i <= 4; i++) {
					int h = hexval(p[i]);
					if (h < 0) {
						perr = "bad \\u escape";
						goto fail;
					}
					v = v * 16 + h;
				}
				if (v == 0 || v > 0x7f) {
					perr = "only ASCII \\u escapes (not NUL) are accepted";
					goto fail;
				}
				c = (unsigned char)v;
				p += 4;
				break;
			}
			default:
				perr = "bad escape in string";
				goto fail;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			char *t = realloc(s, cap);
			if (!t) {
				perr = "out of memory";
				goto fail;
			}
			s = t;
		}
		s[n++] = (char)c;
		p++;
	}
	s[n] = 0;
	*res = s;
	*res_len = n;
	return p;
fail:
	free(s);
	return NULL;
}

/* Parses the whole line as one flat object; returns 0, or -1 with perr set. */
static int parse_request(const char *line)
{
	nfields = 0;
	const char *p = skip_ws(line);
	if (*p != '{') {
		perr = "request is not a JSON object";
		return -1;
	}
	p = skip_ws(p + 1);
	if (*p == '}') {
		p++;
		goto end;
	}
	for (;;) {
		if (*p != '"') {
			perr = "expected a key";
			return -1;
		}
		char *key;
		size_t klen;
		p = parse_string(p, &key, &klen);
		if (!p)
			return -1;
		if (klen == 0 || klen >= MAX_KEY) {
			free(key);
			perr = "key empty or too long";
			return -1;
		}
		for (int i = 0; i < nfields; i++)
			if (!strcmp(fields[i].key, key)) {
				free(key);
				perr = "duplicate key";
				return -1;
			}
		if (nfields == MAX_FIELDS) {
			free(key);
			perr = "too many keys";
			return -1;
		}
		struct field *f = &fields[nfields];
		memset(f, 0, sizeof *f);
		memcpy(f->key, key, klen + 1);
		free(key);
		p = skip_ws(p);
		if (*p != ':') {
			perr = "expected ':'";
			return -1;
		}
		p = skip_ws(p + 1);
		if (*p == '"') {
			f->type = V_STR;
			p = parse_string(p, &f->str, &f->str_len);
			if (!p)
				return -1;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			f->type = V_BOOL;
			f->num = *p == 't';
			p += f->num ? 4 : 5;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			const char *q = p + (*p == '-');
			if (*q < '0' || *q > '9' || (*q == '0' && q[1] >= '0' && q[1] <= '9')) {
				perr = "bad integer";
				return -1;
			}
			errno = 0;
			char *end;
			f->num = strtoll(p, &end, 10);
			if (errno || *end == '.' || *end == 'e' || *end == 'E') {
				perr = "integers only, within 64 bits";
				return -1;
			}
			f->type = V_INT;
			p = end;
		} else {
			perr = "values are strings, integers or booleans";
			return -1;
		}
		nfields++;
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == '}') {
			p++;
			break;
		}
		perr = "expected ',' or '}'";
		return -1;
	}
end:
	p = skip_ws(p);
	if (*p) {
		perr = "trailing characters after the object";
		return -1;
	}
	return 0;
}

static struct field *get(const char *key)
{
	for (int i = 0; i < nfields; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

/* ---------- answers ---------- */

static long long req_id;
static int have_id;

static void begin_ok(void) { out_fmt("{\"id\":%lld,\"ok\":true", req_id); }

static void answer_error(const char *msg)
{
	if (have_id)
		out_fmt("{\"id\":%lld,\"ok\":false,\"error\":", req_id);
	else
		out_str("{\"id\":null,\"ok\":false,\"error\":");
	out_json_str(msg);
	out_str("}");
	out_flush();
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ETXTBSY: return "ETXTBSY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EHWPOISON: return "EHWPOISON";
	default: return "EUNKNOWN";
	}
}

static void answer_errno(int e, const char *call)
{
	out_fmt("{\"id\":%lld,\"ok\":false,\"errno\":%d,\"name\":\"%s\",\"call\":", req_id, e, errno_name(e));
	out_json_str(call);
	out_str("}");
	out_flush();
}

/* ---------- typed request fields ---------- */

static int need_int(const char *key, long long *v)
{
	struct field *f = get(key);
	if (!f || f->type != V_INT) {
		static char msg[96];
		snprintf(msg, sizeof msg, "\"%s\" must be an integer", key);
		answer_error(msg);
		return -1;
	}
	*v = f->num;
	return 0;
}

static int need_size(const char *key, size_t *v)
{
	long long n;
	if (need_int(key, &n))
		return -1;
	if (n < 0) {
		answer_error("sizes must not be negative");
		return -1;
	}
	*v = (size_t)n;
	return 0;
}

static const char *need_str(const char *key)
{
	struct field *f = get(key);
	if (!f || f->type != V_STR) {
		static char msg[96];
		snprintf(msg, sizeof msg, "\"%s\" must be a string", key);
		answer_error(msg);
		return NULL;
	}
	return f->str;
}

/* Addresses travel as "0x..." hex strings (64-bit values do not fit a JSON double). */
static int need_addr(const char *key, uintptr_t *v)
{
	const char *s = need_str(key);
	if (!s)
		return -1;
	if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s) > 18) {
		answer_error("addresses are \"0x\" hex strings");
		return -1;
	}
	uintptr_t a = 0;
	for (const char *p = s + 2; *p; p++) {
		int h = hexval(*p);
		if (h < 0) {
			answer_error("addresses are \"0x\" hex strings");
			return -1;
		}
		a = a * 16 + (uintptr_t)h;
	}
	*v = a;
	return 0;
}

static int opt_bool(const char *key, int *v)
{
	struct field *f = get(key);
	if (!f) {
		*v = 0;
		return 0;
	}
	if (f->type != V_BOOL) {
		static char msg[96];
		snprintf(msg, sizeof msg, "\"%s\" must be a boolean", key);
		answer_error(msg);
		return -1;
	}
	*v = (int)f->num;
	return 0;
}

/* An optional string field: NULL when absent; answers an error (and sets *bad) when not a string. */
static const char *opt_str(const char *key, int *bad)
{
	struct field *f = get(key);
	*bad = 0;
	if (!f)
		return NULL;
	if (f->type != V_STR) {
		*bad = 1;
		return need_str(key);
	}
	return f->str;
}

/* An optional integer field: `def` when absent. */
static int opt_int(const char *key, long long def, long long *v)
{
	if (!get(key)) {
		*v = def;
		return 0;
	}
	return need_int(key, v);
}

/* Decodes the string field `key` of hex digits in place (*data, *n); answers an error on bad input. */
static int need_hex(const char *key, char **data, size_t *n)
{
	struct field *f = get(key);
	if (!f || f->type != V_STR) {
		need_str(key);
		return -1;
	}
	if (f->str_len % 2) {
		answer_error("\"hex\" has an odd number of digits");
		return -1;
	}
	*n = f->str_len / 2;
	for (size_t i = 0; i < *n; i++) {
		int h = hexval(f->str[2 * i]), l = hexval(f->str[2 * i + 1]);
		if (h < 0 || l < 0) {
			answer_error("\"hex\" has a non-hex digit");
			return -1;
		}
		f->str[i] = (char)(h * 16 + l);
	}
	*data = f->str;
	return 0;
}

/* A byte count a request may ask to be read and sent back: at most 64 MiB. */
#define MAX_IO (64u << 20)

/* ---------- guarded user memory access: a fault becomes EFAULT ---------- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t guarded;

static void on_fault(int sig)
{
	if (guarded)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---------- ops ---------- */

static long page_size;

static void op_hello(void)
{
	begin_ok();
	out_fmt(",\"pid\":%d,\"pageSize\":%ld,\"uid\":%d}", (int)getpid(), page_size, (int)getuid());
	out_flush();
}

/* "none", or the letters r, w, x in that order ("r", "rw", "rx", "rwx", "x", ...); -1 otherwise. */
static int parse_prot(const char *s)
{
	if (!strcmp(s, "none"))
		return PROT_NONE;
	static const char letters[] = "rwx";
	static const int bits[] = { PROT_READ, PROT_WRITE, PROT_EXEC };
	int prot = 0, next = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		const char *at = strchr(letters + next, *s);
		if (!*s || !at)
			return -1;
		next = (int)(at - letters) + 1;
		prot |= bits[next - 1];
	}
	return prot;
}

static int need_prot(int *prot)
{
	const char *s = need_str("prot");
	if (!s)
		return -1;
	*prot = parse_prot(s);
	if (*prot < 0) {
		answer_error("\"prot\" is \"none\" or the letters r, w, x in that order");
		return -1;
	}
	return 0;
}

/* Opens `path` for a file mapping. grow (default): writable -> O_RDWR | O_CREAT and extended to
 * `end`, else O_RDONLY. No grow: the existing file, O_RDWR when we may write it, else O_RDONLY. */
static int open_backing_file(const char *path, int prot, int grow, off_t end, const char **call)
{
	int fd;
	*call = "open";
	if (!grow) {
		fd = open(path, O_RDWR);
		if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM || errno == ETXTBSY))
			fd = open(path, O_RDONLY);
		return fd;
	}
	fd = open(path, (prot & PROT_WRITE) ? O_RDWR | O_CREAT : O_RDONLY, 0600);
	if (fd < 0)
		return -1;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size >= 0 && size < end && (prot & PROT_WRITE) && ftruncate(fd, end)) {
		int e = errno;
		close(fd);
		*call = "ftruncate";
		errno = e;
		return -1;
	}
	return fd;
}

static void op_mmap(void)
{
	size_t length;
	const char *flags_s, *backing, *fixed_s, *huge_s;
	int prot, bad, populate, grow = 1;
	long long offset;
	uintptr_t hint = 0;
	if (need_size("length", &length) || need_prot(&prot) || !(flags_s = need_str("flags")) ||
	    !(backing = need_str("backing")) || opt_bool("populate", &populate) || opt_int("offset", 0, &offset))
		return;
	if (get("grow") && opt_bool("grow", &grow))
		return;
	if (offset < 0)
		return answer_error("\"offset\" must not be negative");
	if (get("addr") && need_addr("addr", &hint))
		return;
	fixed_s = opt_str("fixed", &bad);
	if (bad)
		return;
	huge_s = opt_str("hugetlb", &bad);
	if (bad)
		return;
	int flags;
	if (!strcmp(flags_s, "private"))
		flags = MAP_PRIVATE;
	else if (!strcmp(flags_s, "shared"))
		flags = MAP_SHARED;
	else
		return answer_error("\"flags\" is \"private\" or \"shared\"");
	if (fixed_s && !get("addr"))
		return answer_error("\"fixed\" needs \"addr\"");
	if (!fixed_s || !strcmp(fixed_s, "hint"))
		;
	else if (!strcmp(fixed_s, "noreplace"))
		flags |= MAP_FIXED_NOREPLACE;
	else if (!strcmp(fixed_s, "fixed"))
		flags |= MAP_FIXED;
	else
		return answer_error("\"fixed\" is \"noreplace\", \"fixed\" or \"hint\"");
	unsigned huge = 0;
	if (!huge_s)
		;
	else if (!strcmp(huge_s, "2MiB"))
		huge = HUGE_ENCODE(21);
	else if (!strcmp(huge_s, "1GiB"))
		huge = HUGE_ENCODE(30);
	else
		return answer_error("\"hugetlb\" is \"2MiB\" or \"1GiB\"");
	if (populate)
		flags |= MAP_POPULATE;
	int fd = -1;
	if (!strcmp(backing, "anon")) {
		flags |= MAP_ANONYMOUS;
		if (huge)
			flags |= MAP_HUGETLB | (int)huge;
	} else if (!strcmp(backing, "memfd")) {
		const char *name = need_str("name");
		if (!name)
			return;
		fd = memfd_create(name, huge ? MFD_HUGETLB | huge : 0);
		if (fd < 0)
			return answer_errno(errno, "memfd_create");
		if (ftruncate(fd, (off_t)offset + (off_t)length)) {
			int e = errno;
			close(fd);
			return answer_errno(e, "ftruncate");
		}
	} else if (!strcmp(backing, "file")) {
		const char *path = need_str("path"), *call;
		if (!path)
			return;
		if (huge)
			return answer_error("\"hugetlb\" takes an anon or memfd backing");
		fd = open_backing_file(path, prot, grow, (off_t)offset + (off_t)length, &call);
		if (fd < 0)
			return answer_errno(errno, call);
	} else {
		return answer_error("\"backing\" is \"anon\", \"memfd\" or \"file\"");
	}
	void *a = mmap((void *)hint, length, prot, flags, fd, (off_t)offset);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (a == MAP_FAILED)
		return answer_errno(e, "mmap");
	begin_ok();
	out_fmt(",\"addr\":\"0x%" PRIxPTR "\"}", (uintptr_t)a);
	out_flush();
}

static void answer_empty(void)
{
	begin_ok();
	out_str("}");
	out_flush();
}

static void op_mprotect(void)
{
	uintptr_t addr;
	size_t length;
	int prot;
	if (need_addr("addr", &addr) || need_size("length", &length) || need_prot(&prot))
		return;
	if (mprotect((void *)addr, length, prot))
		return answer_errno(errno, "mprotect");
	answer_empty();
}

/* mm/mremap.c: MREMAP_MAYMOVE, MREMAP_FIXED (to new_addr; needs MAYMOVE), MREMAP_DONTUNMAP. */
static void op_mremap(void)
{
	uintptr_t addr, new_addr = 0;
	size_t old_length, new_length;
	int maymove, fixed, dontunmap;
	if (need_addr("addr", &addr) || need_size("old_length", &old_length) || need_size("new_length", &new_length) ||
	    opt_bool("maymove", &maymove) || opt_bool("fixed", &fixed) || opt_bool("dontunmap", &dontunmap))
		return;
	if (get("new_addr") && need_addr("new_addr", &new_addr))
		return;
	if (fixed && !get("new_addr"))
		return answer_error("\"fixed\" needs \"new_addr\"");
	int flags = (maymove ? MREMAP_MAYMOVE : 0) | (fixed ? MREMAP_FIXED : 0) | (dontunmap ? MREMAP_DONTUNMAP : 0);
	void *a = mremap((void *)addr, old_length, new_length, flags, (void *)new_addr);
	if (a == MAP_FAILED)
		return answer_errno(errno, "mremap");
	begin_ok();
	out_fmt(",\"addr\":\"0x%" PRIxPTR "\"}", (uintptr_t)a);
	out_flush();
}

static void op_munmap(void)
{
	uintptr_t addr;
	size_t length;
	if (need_addr("addr", &addr) || need_size("length", &length))
		return;
	if (munmap((void *)addr, length))
		return answer_errno(errno, "munmap");
	begin_ok();
	out_str("}");
	out_flush();
}

static void op_write(void)
{
	uintptr_t addr;
	if (need_addr("addr", &addr))
		return;
	struct field *hex = get("hex"), *text = get("text");
	if ((hex != NULL) == (text != NULL) || (hex && hex->type != V_STR) || (text && text->type != V_STR))
		return answer_error("write takes exactly one of \"hex\" or \"text\" (a string)");
	char *data;
	size_t n;
	if (text) {
		data = text->str;
		n = text->str_len;
	} else if (need_hex("hex", &data, &n)) {
		return;
	}
	if (sigsetjmp(fault_jmp, 1)) {
		guarded = 0;
		return answer_errno(EFAULT, "write");
	}
	guarded = 1;
	memcpy((void *)addr, data, n);
	guarded = 0;
	begin_ok();
	out_fmt(",\"written\":%zu}", n);
	out_flush();
}

static char *read_buf;

static void op_read(void)
{
	uintptr_t addr;
	size_t length;
	if (need_addr("addr", &addr) || need_size("length", &length))
		return;
	if (length > MAX_IO)
		return answer_error("read at most 64 MiB at once");
	free(read_buf);
	read_buf = malloc(length ? length : 1);
	if (!read_buf)
		return answer_errno(ENOMEM, "read");
	if (sigsetjmp(fault_jmp, 1)) {
		guarded = 0;
		return answer_errno(EFAULT, "read");
	}
	guarded = 1;
	memcpy(read_buf, (const void *)addr, length);
	guarded = 0;
	begin_ok();
	out_str(",\"hex\":\"");
	out_hex((const unsigned char *)read_buf, length);
	out_str("\"}");
	out_flush();
}

/* Faults every page of [addr, addr+length) in: a read, or a write of the byte it holds. */
static void op_touch(void)
{
	uintptr_t addr;
	size_t length;
	int wr;
	if (need_addr("addr", &addr) || need_size("length", &length) || opt_bool("write", &wr))
		return;
	if (sigsetjmp(fault_jmp, 1)) {
		guarded = 0;
		return answer_errno(EFAULT, "touch");
	}
	guarded = 1;
	size_t pages = 0;
	for (uintptr_t p = addr & ~(uintptr_t)(page_size - 1); p < addr + length; p += (uintptr_t)page_size) {
		volatile char *c = (volatile char *)(p < addr ? addr : p);
		char v = *c;
		if (wr)
			*c = v;
		pages++;
	}
	guarded = 0;
	begin_ok();
	out_fmt(",\"pages\":%zu}", pages);
	out_flush();
}

static void op_madvise(void)
{
	uintptr_t addr;
	size_t length;
	const char *advice;
	if (need_addr("addr", &addr) || need_size("length", &length) || !(advice = need_str("advice")))
		return;
	int adv;
	if (!strcmp(advice, "dontneed"))
		adv = MADV_DONTNEED;
	else if (!strcmp(advice, "pageout"))
		adv = MADV_PAGEOUT;
	else if (!strcmp(advice, "hugepage"))
		adv = MADV_HUGEPAGE;
	else if (!strcmp(advice, "nohugepage"))
		adv = MADV_NOHUGEPAGE;
	else if (!strcmp(advice, "collapse"))
		adv = MADV_COLLAPSE;
	else if (!strcmp(advice, "dontfork"))
		adv = MADV_DONTFORK;
	else if (!strcmp(advice, "dofork"))
		adv = MADV_DOFORK;
	else if (!strcmp(advice, "wipeonfork"))
		adv = MADV_WIPEONFORK;
	else if (!strcmp(advice, "keeponfork"))
		adv = MADV_KEEPONFORK;
	else
		return answer_error("\"advice\" is dontneed, pageout, hugepage, nohugepage, collapse, dontfork, dofork, wipeonfork or keeponfork");
	if (madvise((void *)addr, length, adv))
		return answer_errno(errno, "madvise");
	begin_ok();
	out_str(",\"result\":0}");
	out_flush();
}

/* Documentation/admin-guide/mm/pagemap.rst: one 64-bit entry per virtual page. Bits 0-54 PFN
 * (zero without CAP_SYS_ADMIN), 56 page exclusively mapped (on 6.18 this reads as mapcount == 1),
 * 61 file-page or shared-anon, 62 swapped, 63 present. */
static void op_pagemap(void)
{
	uintptr_t addr;
	long long pages;
	if (need_addr("addr", &addr) || need_int("pages", &pages))
		return;
	if (pages < 1 || pages > 65536)
		return answer_error("\"pages\" is 1 to 65536");
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return answer_errno(errno, "open");
	uint64_t *e = calloc((size_t)pages, sizeof *e);
	if (!e) {
		close(fd);
		return answer_errno(ENOMEM, "pagemap");
	}
	off_t off = (off_t)(addr / (uintptr_t)page_size * 8);
	ssize_t n = pread(fd, e, (size_t)pages * 8, off);
	int err = errno;
	close(fd);
	if (n != (ssize_t)pages * 8) {
		free(e);
		return answer_errno(n < 0 ? err : EIO, "pread");
	}
	begin_ok();
	out_str(",\"pages\":[");
	for (long long i = 0; i < pages; i++) {
		uint64_t v = e[i];
		int present = (int)(v >> 63 & 1), swapped = (int)(v >> 62 & 1);
		out_fmt("%s{\"present\":%s,\"swapped\":%s,\"exclusive\":%s,\"file\":%s,\"pfn\":%" PRIu64 "}",
			i ? "," : "", present ? "true" : "false", swapped ? "true" : "false",
			v >> 56 & 1 ? "true" : "false", v >> 61 & 1 ? "true" : "false",
			present ? v & (((uint64_t)1 << 55) - 1) : (uint64_t)0);
	}
	out_str("]}");
	out_flush();
	free(e);
}

/* include/uapi/linux/kernel-page-flags.h, bit order. */
static const char *const kpf_names[] = {
	"LOCKED", "ERROR", "REFERENCED", "UPTODATE", "DIRTY", "LRU", "ACTIVE", "SLAB", "WRITEBACK",
	"RECLAIM", "BUDDY", "MMAP", "ANON", "SWAPCACHE", "SWAPBACKED", "COMPOUND_HEAD", "COMPOUND_TAIL",
	"HUGE", "UNEVICTABLE", "HWPOISON", "NOPAGE", "KSM", "THP", "OFFLINE", "ZERO_PAGE", "IDLE", "PGTABLE",
};

/* A JSON array of the names of the set kpageflags bits. */
static void out_kpf_names(uint64_t flags)
{
	int first = 1;
	out_str("[");
	for (unsigned b = 0; b < sizeof kpf_names / sizeof kpf_names[0]; b++)
		if (flags >> b & 1) {
			out_fmt("%s\"%s\"", first ? "" : ",", kpf_names[b]);
			first = 0;
		}
	out_str("]");
}

static int read_u64_at(const char *path, uint64_t index, uint64_t *v, const char **call)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		*call = "open";
		return errno;
	}
	ssize_t n = pread(fd, v, 8, (off_t)(index * 8));
	int e = errno;
	close(fd);
	if (n != 8) {
		*call = "pread";
		return n < 0 ? e : EIO;
	}
	return 0;
}

/* /proc/kpagecount (on 6.18: the frame's mapcount, not its refcount) and /proc/kpageflags. */
static void op_kpage(void)
{
	long long pfn;
	if (need_int("pfn", &pfn))
		return;
	if (pfn < 0)
		return answer_error("\"pfn\" must not be negative");
	uint64_t count, flags;
	const char *call;
	int e = read_u64_at("/proc/kpagecount", (uint64_t)pfn, &count, &call);
	if (!e)
		e = read_u64_at("/proc/kpageflags", (uint64_t)pfn, &flags, &call);
	if (e)
		return answer_errno(e, call);
	begin_ok();
	out_fmt(",\"count\":%" PRIu64 ",\"flags\":", count);
	out_kpf_names(flags);
	out_fmt(",\"raw\":\"0x%" PRIx64 "\"}", flags);
	out_flush();
}

/* io_uring rings holding fixed buffers; the ring id is the index here. The SQ/CQ rings and the
 * SQE array are mapped on the first fixed-buffer IO. */
#define MAX_RINGS 64
struct ring {
	int fd; /* -1: a free slot */
	uintptr_t buf;
	size_t buf_len;
	struct io_uring_params params;
	char *sq; /* IORING_OFF_SQ_RING: SQ and CQ rings (IORING_FEAT_SINGLE_MMAP) */
	size_t sq_len;
	struct io_uring_sqe *sqes; /* IORING_OFF_SQES */
	size_t sqes_len;
};
static struct ring rings[MAX_RINGS];

/* Unmaps a ring's queues and closes it (the unpin may complete asynchronously, after this). */
static void ring_close(struct ring *r)
{
	if (r->sq)
		munmap(r->sq, r->sq_len);
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	close(r->fd);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

/* IORING_REGISTER_BUFFERS: io_uring/rsrc.c io_sqe_buffers_register pins the range with
 * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) until the buffers are unregistered or the ring dies. */
static void op_iouring_register(void)
{
	uintptr_t addr;
	size_t length;
	if (need_addr("addr", &addr) || need_size("length", &length))
		return;
	int id = 0;
	while (id < MAX_RINGS && rings[id].fd >= 0)
		id++;
	if (id == MAX_RINGS)
		return answer_error("too many rings");
	struct ring *r = &rings[id];
	memset(&r->params, 0, sizeof r->params);
	int ring = (int)syscall(__NR_io_uring_setup, 1, &r->params);
	if (ring < 0)
		return answer_errno(errno, "io_uring_setup");
	struct iovec iov = { (void *)addr, length };
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1)) {
		int e = errno;
		close(ring);
		return answer_errno(e, "io_uring_register");
	}
	r->fd = ring;
	r->buf = addr;
	r->buf_len = length;
	begin_ok();
	out_fmt(",\"ring\":%d}", id);
	out_flush();
}

/* The ring named by the request's "ring" field, or NULL (answered). */
static struct ring *need_ring(void)
{
	long long id;
	if (need_int("ring", &id))
		return NULL;
	if (id < 0 || id >= MAX_RINGS || rings[id].fd < 0) {
		answer_error("no such ring");
		return NULL;
	}
	return &rings[id];
}

/* IORING_UNREGISTER_BUFFERS, then close the ring (the unpin itself may complete asynchronously). */
static void op_iouring_unregister(void)
{
	struct ring *r = need_ring();
	if (!r)
		return;
	if (syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0))
		return answer_errno(errno, "io_uring_register");
	ring_close(r);
	answer_empty();
}

/* One fixed-buffer IO on buffer 0 (io_uring/rw.c io_prep_rw_fixed -> io_import_fixed: the
 * registered pages, not the current mapping): submit one SQE, wait for its CQE. Returns 0 with
 * *res the CQE result, or an errno (*call names the failed call). */
static int ring_io(struct ring *r, unsigned char opcode, int fd, uintptr_t addr, unsigned len, int *res, const char **call)
{
	struct io_uring_params *p = &r->params;
	if (!r->sq) {
		size_t sq = p->sq_off.array + p->sq_entries * sizeof(unsigned);
		size_t cq = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
		r->sq_len = sq > cq ? sq : cq;
		r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
		void *a = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
		if (a == MAP_FAILED) {
			*call = "mmap IORING_OFF_SQ_RING";
			return errno;
		}
		void *b = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
		if (b == MAP_FAILED) {
			int e = errno;
			munmap(a, r->sq_len);
			*call = "mmap IORING_OFF_SQES";
			return e;
		}
		r->sq = a;
		r->sqes = b;
	}
	unsigned *tail = (unsigned *)(r->sq + p->sq_off.tail), *mask = (unsigned *)(r->sq + p->sq_off.ring_mask);
	unsigned *array = (unsigned *)(r->sq + p->sq_off.array);
	unsigned t = *tail, idx = t & *mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	memset(sqe, 0, sizeof *sqe);
	sqe->opcode = opcode;
	sqe->fd = fd;
	sqe->off = 0;
	sqe->addr = addr;
	sqe->len = len;
	sqe->buf_index = 0;
	array[idx] = idx;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	unsigned *chead = (unsigned *)(r->sq + p->cq_off.head), *ctail = (unsigned *)(r->sq + p->cq_off.tail);
	unsigned *cmask = (unsigned *)(r->sq + p->cq_off.ring_mask);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)(r->sq + p->cq_off.cqes);
	long n = syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	for (;;) {
		if (n < 0 && errno != EINTR) {
			*call = "io_uring_enter";
			return errno;
		}
		unsigned h = *chead;
		if (h != __atomic_load_n(ctail, __ATOMIC_ACQUIRE)) {
			*res = cqes[h & *cmask].res;
			__atomic_store_n(chead, h + 1, __ATOMIC_RELEASE);
			return 0;
		}
		n = syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	}
}

/* The agent's scratch memfd: the "device" side of fixed-buffer IO. */
static int scratch_fd = -1;

static int scratch(void)
{
	if (scratch_fd < 0)
		scratch_fd = memfd_create("pinlab-dma", MFD_CLOEXEC);
	return scratch_fd;
}

/* Checks [offset, offset+len) lies in the ring's buffer; answers an error when not. */
static int ring_range(struct ring *r, size_t offset, size_t len)
{
	if (offset > r->buf_len || len > r->buf_len - offset || len > MAX_IO) {
		answer_error("offset + length beyond the ring's registered buffer");
		return -1;
	}
	return 0;
}

/* The device writes the pinned frames: the bytes go to the scratch memfd, then READ_FIXED
 * reads them from it into buffer 0 at `offset`. */
static void op_iouring_dma_write(void)
{
	struct ring *r = need_ring();
	size_t offset, n;
	char *data;
	if (!r || need_size("offset", &offset) || need_hex("hex", &data, &n) || ring_range(r, offset, n))
		return;
	int fd = scratch();
	if (fd < 0)
		return answer_errno(errno, "memfd_create");
	if (pwrite(fd, data, n, 0) != (ssize_t)n)
		return answer_errno(errno, "pwrite");
	int res;
	const char *call;
	int e = ring_io(r, IORING_OP_READ_FIXED, fd, r->buf + offset, (unsigned)n, &res, &call);
	if (e)
		return answer_errno(e, call);
	if (res < 0)
		return answer_errno(-res, "io_uring READ_FIXED");
	begin_ok();
	out_fmt(",\"written\":%d}", res);
	out_flush();
}

/* The device reads the pinned frames: WRITE_FIXED from buffer 0 at `offset` into the scratch
 * memfd, then pread it back. */
static void op_iouring_dma_read(void)
{
	struct ring *r = need_ring();
	size_t offset, n;
	if (!r || need_size("offset", &offset) || need_size("length", &n) || ring_range(r, offset, n))
		return;
	int fd = scratch();
	if (fd < 0)
		return answer_errno(errno, "memfd_create");
	int res;
	const char *call;
	int e = ring_io(r, IORING_OP_WRITE_FIXED, fd, r->buf + offset, (unsigned)n, &res, &call);
	if (e)
		return answer_errno(e, call);
	if (res < 0)
		return answer_errno(-res, "io_uring WRITE_FIXED");
	unsigned char *buf = malloc((size_t)res + 1);
	if (!buf)
		return answer_errno(ENOMEM, "malloc");
	ssize_t got = pread(fd, buf, (size_t)res, 0);
	if (got < 0) {
		free(buf);
		return answer_errno(errno, "pread");
	}
	begin_ok();
	out_str(",\"hex\":\"");
	out_hex(buf, (size_t)got);
	out_str("\"}");
	out_flush();
	free(buf);
}

/* ---------- vmsplice: FOLL_GET references held by a pipe ---------- */

#define MAX_PIPES 64
struct held_pipe {
	int rd, wr; /* rd < 0: a free slot */
	size_t bytes;
};
static struct held_pipe pipes[MAX_PIPES];

static void pipe_close(struct held_pipe *hp)
{
	close(hp->rd);
	close(hp->wr);
	hp->rd = hp->wr = -1;
	hp->bytes = 0;
}

/* fs/splice.c vmsplice_to_pipe -> iter_to_pipe -> iov_iter_get_pages2: the pipe takes FOLL_GET
 * references on the user pages (no pin; nr_foll_pin_* do not move) and holds them until closed.
 * The pipe is O_NONBLOCK so a pipe too small answers EAGAIN instead of hanging the agent. */
static void op_vmsplice(void)
{
	uintptr_t addr;
	size_t length;
	if (need_addr("addr", &addr) || need_size("length", &length))
		return;
	int id = 0;
	while (id < MAX_PIPES && pipes[id].rd >= 0)
		id++;
	if (id == MAX_PIPES)
		return answer_error("too many pipes");
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
		return answer_errno(errno, "pipe2");
	struct held_pipe *hp = &pipes[id];
	hp->rd = fds[0];
	hp->wr = fds[1];
	/* One slot per page touched, plus one for an unaligned start. */
	size_t want = (length / (size_t)page_size + 2) * (size_t)page_size;
	if (fcntl(hp->wr, F_SETPIPE_SZ, (int)(want > (1u << 30) ? (1u << 30) : want)) < 0) {
		int e = errno;
		pipe_close(hp);
		return answer_errno(e, "fcntl F_SETPIPE_SZ");
	}
	struct iovec iov = { (void *)addr, length };
	while (iov.iov_len > 0) {
		ssize_t n = vmsplice(hp->wr, &iov, 1, 0);
		if (n < 0) {
			int e = errno;
			pipe_close(hp);
			return answer_errno(e, "vmsplice");
		}
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
		hp->bytes += (size_t)n;
	}
	begin_ok();
	out_fmt(",\"pipe\":%d,\"spliced\":%zu}", id, hp->bytes);
	out_flush();
}

static struct held_pipe *need_pipe(void)
{
	long long id;
	if (need_int("pipe", &id))
		return NULL;
	if (id < 0 || id >= MAX_PIPES || pipes[id].rd < 0) {
		answer_error("no such pipe");
		return NULL;
	}
	return &pipes[id];
}

/* tee() the held pipe into a scratch pipe (fs/splice.c link_pipe: the buffers are shared, not
 * consumed) and read bytes [offset, offset+length) of it. */
static void op_pipe_peek(void)
{
	struct held_pipe *hp = need_pipe();
	size_t offset, length;
	if (!hp || need_size("offset", &offset) || need_size("length", &length))
		return;
	if (length > MAX_IO)
		return answer_error("peek at most 64 MiB at once");
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
		return answer_errno(errno, "pipe2");
	int size = fcntl(hp->wr, F_GETPIPE_SZ);
	unsigned char *buf = malloc(hp->bytes + 1);
	const char *call = NULL;
	int e = 0;
	ssize_t teed = 0, got = 0;
	if (!buf) {
		e = ENOMEM;
		call = "malloc";
	} else if (size < 0 || fcntl(fds[1], F_SETPIPE_SZ, size) < 0) {
		e = errno;
		call = "fcntl F_SETPIPE_SZ";
	} else if (hp->bytes && (teed = tee(hp->rd, fds[1], hp->bytes, SPLICE_F_NONBLOCK)) < 0) {
		e = errno;
		call = "tee";
	}
	while (!e && got < teed) {
		ssize_t n = read(fds[0], buf + got, (size_t)(teed - got));
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			call = "read";
			break;
		}
		got += n;
	}
	close(fds[0]);
	close(fds[1]);
	if (e) {
		free(buf);
		return answer_errno(e, call);
	}
	size_t from = offset < (size_t)got ? offset : (size_t)got;
	size_t to = length < (size_t)got - from ? from + length : (size_t)got;
	begin_ok();
	out_str(",\"hex\":\"");
	out_hex(buf + from, to - from);
	out_str("\"}");
	out_flush();
	free(buf);
}

static void op_pipe_release(void)
{
	struct held_pipe *hp = need_pipe();
	if (!hp)
		return;
	pipe_close(hp);
	answer_empty();
}

/* ---------- files by path: open, act, close ---------- */

/* O_DIRECT IO between the file and user memory at `addr` (fs/iomap/direct-io.c, or the block
 * layer's bio_iov_iter_get_pages: short-term FOLL_PIN of the user pages). */
static void op_dio(void)
{
	const char *path = need_str("path");
	long long offset;
	uintptr_t addr;
	size_t length;
	int wr;
	if (!path || need_int("offset", &offset) || need_addr("addr", &addr) || need_size("length", &length) || opt_bool("write", &wr))
		return;
	int fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return answer_errno(errno, "open");
	ssize_t n = wr ? pwrite(fd, (const void *)addr, length, (off_t)offset) : pread(fd, (void *)addr, length, (off_t)offset);
	int e = errno;
	close(fd);
	if (n < 0)
		return answer_errno(e, wr ? "pwrite" : "pread");
	begin_ok();
	out_fmt(",\"bytes\":%zd}", n);
	out_flush();
}

/* Opens the request's "path" with `flags`; -1 when answered. */
static int open_path(int flags)
{
	const char *path = need_str("path");
	if (!path)
		return -1;
	int fd = open(path, flags);
	if (fd < 0)
		answer_errno(errno, "open");
	return fd;
}

static void op_file_read(void)
{
	long long offset;
	size_t length;
	if (need_int("offset", &offset) || need_size("length", &length))
		return;
	if (length > MAX_IO)
		return answer_error("read at most 64 MiB at once");
	int fd = open_path(O_RDONLY);
	if (fd < 0)
		return;
	unsigned char *buf = malloc(length + 1);
	ssize_t got = 0, n = 1;
	while (buf && (size_t)got < length && n > 0) {
		n = pread(fd, buf + got, length - (size_t)got, (off_t)offset + got);
		if (n > 0)
			got += n;
	}
	int e = buf ? errno : ENOMEM;
	close(fd);
	if (!buf || n < 0) {
		free(buf);
		return answer_errno(e, "pread");
	}
	begin_ok();
	out_str(",\"hex\":\"");
	out_hex(buf, (size_t)got);
	out_str("\"}");
	out_flush();
	free(buf);
}

/* fsync, sync_file_range(SYNC_FILE_RANGE_WRITE) over the whole file (starts writeback, no
 * wait), ftruncate, or fallocate(PUNCH_HOLE | KEEP_SIZE): one call on the file at "path". */
static void op_file_call(const char *op)
{
	long long size = 0, offset = 0, length = 0;
	if (!strcmp(op, "ftruncate") && need_int("size", &size))
		return;
	if (!strcmp(op, "punch") && (need_int("offset", &offset) || need_int("length", &length)))
		return;
	int fd = open_path(strcmp(op, "fsync") && strcmp(op, "sync_range") ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return;
	int r;
	const char *call = op;
	if (!strcmp(op, "fsync"))
		r = fsync(fd);
	else if (!strcmp(op, "sync_range"))
		call = "sync_file_range", r = sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	else if (!strcmp(op, "ftruncate"))
		r = ftruncate(fd, (off_t)size);
	else
		call = "fallocate", r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
	int e = errno;
	close(fd);
	if (r)
		return answer_errno(e, call);
	answer_empty();
}

/* fs/proc/base.c mem_rw -> access_remote_vm(FOLL_FORCE): writes even a read-only private
 * mapping (a COW copy), reads through the page tables. */
static void op_proc_mem(int wr)
{
	uintptr_t addr;
	size_t n;
	char *data = NULL;
	if (need_addr("addr", &addr) || (wr ? need_hex("hex", &data, &n) : need_size("length", &n)))
		return;
	if (n > MAX_IO)
		return answer_error("at most 64 MiB at once");
	int fd = open("/proc/self/mem", wr ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return answer_errno(errno, "open");
	unsigned char *buf = wr ? NULL : malloc(n + 1);
	ssize_t r = wr ? pwrite(fd, data, n, (off_t)addr) : buf ? pread(fd, buf, n, (off_t)addr) : -1;
	int e = wr || buf ? errno : ENOMEM;
	close(fd);
	if (r < 0) {
		free(buf);
		return answer_errno(e, wr ? "pwrite" : "pread");
	}
	begin_ok();
	if (wr) {
		out_fmt(",\"written\":%zd}", r);
	} else {
		out_str(",\"hex\":\"");
		out_hex(buf, (size_t)r);
		out_str("\"}");
	}
	out_flush();
	free(buf);
}

/* ---------- kfolio, status ---------- */

#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define FOLIO_MAX 262144u
#define KPF_CHUNK 4096u

/* The folio holding `pfn`, from /proc/kpageflags (fs/proc/page.c kpageflags_read): walk back
 * over COMPOUND_TAIL frames to the COMPOUND_HEAD, then count the tails after it, a chunk at a time. */
static void op_kfolio(void)
{
	long long pfn_in;
	if (need_int("pfn", &pfn_in))
		return;
	if (pfn_in < 0)
		return answer_error("\"pfn\" must not be negative");
	uint64_t pfn = (uint64_t)pfn_in, head = pfn, nr = 1, flags;
	static uint64_t chunk[KPF_CHUNK];
	int fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return answer_errno(errno, "open");
	if (pread(fd, &flags, 8, (off_t)(pfn * 8)) != 8) {
		int e = errno;
		close(fd);
		return answer_errno(e ? e : EIO, "pread");
	}
	if (flags >> KPF_COMPOUND_TAIL & 1) {
		int found = 0;
		uint64_t cur = pfn, walked = 0;
		while (!found && cur > 0 && walked < FOLIO_MAX) {
			uint64_t n = cur < KPF_CHUNK ? cur : KPF_CHUNK, start = cur - n;
			if (pread(fd, chunk, n * 8, (off_t)(start * 8)) != (ssize_t)(n * 8))
				break;
			for (uint64_t i = n; i-- > 0 && walked < FOLIO_MAX;) {
				walked++;
				if (chunk[i] >> KPF_COMPOUND_HEAD & 1) {
					head = start + i;
					flags = chunk[i];
					found = 1;
					break;
				}
				if (!(chunk[i] >> KPF_COMPOUND_TAIL & 1))
					break;
			}
			cur = start;
			if (!found && !(chunk[0] >> KPF_COMPOUND_TAIL & 1))
				break;
		}
		if (!found) {
			close(fd);
			return answer_error("no COMPOUND_HEAD before this COMPOUND_TAIL frame");
		}
	}
	if (flags >> KPF_COMPOUND_HEAD & 1) {
		int more = 1;
		for (uint64_t at = head + 1; more && nr < FOLIO_MAX; at += KPF_CHUNK) {
			ssize_t got = pread(fd, chunk, KPF_CHUNK * 8, (off_t)(at * 8));
			if (got <= 0)
				break;
			for (ssize_t i = 0; i < got / 8 && nr < FOLIO_MAX; i++) {
				if (!(chunk[i] >> KPF_COMPOUND_TAIL & 1)) {
					more = 0;
					break;
				}
				nr++;
			}
			if (got < (ssize_t)(KPF_CHUNK * 8))
				break;
		}
	}
	close(fd);
	begin_ok();
	out_fmt(",\"head\":%" PRIu64 ",\"nr\":%" PRIu64 ",\"flags\":", head, nr);
	out_kpf_names(flags);
	out_str("}");
	out_flush();
}

/* VmPin, VmLck and VmRSS from /proc/self/status (fs/proc/task_mmu.c task_mem), in KiB. */
static void op_status(void)
{
	static const char *const keys[] = { "VmPin:", "VmLck:", "VmRSS:" };
	long long kb[3] = { -1, -1, -1 };
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return answer_errno(errno, "open");
	char line[256];
	while (fgets(line, sizeof line, f))
		for (int i = 0; i < 3; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				kb[i] = strtoll(line + strlen(keys[i]), NULL, 10);
	fclose(f);
	if (kb[0] < 0 || kb[1] < 0 || kb[2] < 0)
		return answer_error("/proc/self/status lacks VmPin, VmLck or VmRSS");
	begin_ok();
	out_fmt(",\"vmPinKb\":%lld,\"vmLckKb\":%lld,\"vmRssKb\":%lld}", kb[0], kb[1], kb[2]);
	out_flush();
}

/* ---------- disk_read: what reached the disk ---------- */

/* The block device holding the file open on `fd`: st_dev -> /sys/dev/block/M:m/uevent DEVNAME. */
static int open_backing_device(int fd, const char **call)
{
	struct stat st;
	char path[96], line[160], dev[160] = "";
	*call = "fstat";
	if (fstat(fd, &st))
		return -1;
	snprintf(path, sizeof path, "/sys/dev/block/%u:%u/uevent", major(st.st_dev), minor(st.st_dev));
	FILE *f = fopen(path, "r");
	*call = "open uevent";
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(dev, sizeof dev, "/dev/%s", line + 8);
		}
	fclose(f);
	if (!dev[0]) {
		errno = ENODEV;
		return -1;
	}
	*call = "open block device";
	return open(dev, O_RDONLY | O_DIRECT);
}

/* Reads [offset, offset+length) of the file as the disk holds it: FS_IOC_FIEMAP (no
 * FIEMAP_FLAG_SYNC: nothing is written back), then each 4 KiB block of a mapped extent that is not
 * DELALLOC, UNWRITTEN or otherwise unreadable in place comes from the block device with O_DIRECT;
 * anything else reads as zeros. */
static void op_disk_read(void)
{
	long long offset;
	size_t length;
	if (need_int("offset", &offset) || need_size("length", &length))
		return;
	if (offset < 0 || length > MAX_IO)
		return answer_error("\"offset\" must not be negative; at most 64 MiB at once");
	int fd = open_path(O_RDONLY);
	if (fd < 0)
		return;
	const char *call;
	int bdev = open_backing_device(fd, &call);
	if (bdev < 0) {
		int e = errno;
		close(fd);
		return answer_errno(e, call);
	}
	enum { EXTENTS = 256, BLOCK = 4096 };
	size_t fm_size = sizeof(struct fiemap) + EXTENTS * sizeof(struct fiemap_extent);
	struct fiemap *fm = malloc(fm_size);
	unsigned char *res = calloc(length + 1, 1), *blk = NULL;
	int e = 0;
	if (!fm || !res || posix_memalign((void **)&blk, BLOCK, BLOCK)) {
		e = ENOMEM;
		call = "malloc";
	}
	uint64_t first = (uint64_t)offset & ~(uint64_t)(BLOCK - 1), end = (uint64_t)offset + length;
	uint64_t at = first;
	while (!e && at < end) {
		memset(fm, 0, fm_size);
		fm->fm_start = at;
		fm->fm_length = end - at;
		fm->fm_extent_count = EXTENTS;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			e = errno;
			call = "ioctl FS_IOC_FIEMAP";
			break;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		const uint32_t unreadable = FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED |
					    FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_DATA_INLINE |
					    FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_UNWRITTEN;
		struct fiemap_extent *last = NULL;
		for (uint32_t i = 0; !e && i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *x = &fm->fm_extents[i];
			last = x;
			if (x->fe_flags & unreadable)
				continue;
			uint64_t from = x->fe_logical > first ? x->fe_logical : first;
			from &= ~(uint64_t)(BLOCK - 1);
			for (uint64_t b = from; b < x->fe_logical + x->fe_length && b < end; b += BLOCK) {
				if (b < x->fe_logical)
					continue;
				if (pread(bdev, blk, BLOCK, (off_t)(x->fe_physical + (b - x->fe_logical))) != BLOCK) {
					e = errno ? errno : EIO;
					call = "pread block device";
					break;
				}
				uint64_t lo = b > (uint64_t)offset ? b : (uint64_t)offset, hi = b + BLOCK < end ? b + BLOCK : end;
				memcpy(res + (lo - (uint64_t)offset), blk + (lo - b), hi - lo);
			}
		}
		if (!last || last->fe_flags & FIEMAP_EXTENT_LAST || fm->fm_mapped_extents < EXTENTS)
			break;
		at = last->fe_logical + last->fe_length;
	}
	close(bdev);
	close(fd);
	free(fm);
	free(blk);
	if (e) {
		free(res);
		return answer_errno(e, call);
	}
	begin_ok();
	out_str(",\"hex\":\"");
	out_hex(res, length);
	out_str("\"}");
	out_flush();
	free(res);
}

/* ---------- fork: the child serves a unix socket ---------- */

static int serve(int in_fd);

/* The child: drop the parent's channel (fds 0 and 1) and every ring and pipe it inherited, then
 * serve requests on a connection to the unix stream socket at `path` until exit or EOF. */
static void fork_child(const char *path)
{
	if (out_fd > 2)
		close(out_fd); /* a grandchild: the child's socket */
	close(0);
	close(1);
	for (int i = 0; i < MAX_RINGS; i++)
		if (rings[i].fd >= 0)
			ring_close(&rings[i]);
	for (int i = 0; i < MAX_PIPES; i++)
		if (pipes[i].rd >= 0)
			pipe_close(&pipes[i]);
	if (scratch_fd >= 0)
		close(scratch_fd);
	scratch_fd = -1;
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sun, sizeof sun)) {
		fprintf(stderr, "pinlab-agent child %d: cannot connect to %s: %s\n", (int)getpid(), path, strerror(errno));
		_exit(71);
	}
	out_fd = sock;
	serve(sock);
	_exit(0);
}

/* fork(2) (kernel/fork.c copy_process -> dup_mmap: private pages shared COW, a pinned anon page
 * copied at once by copy_present_page). The parent answers {pid}; SIGCHLD is ignored, so the
 * kernel reaps the child when it exits. */
static void op_fork(void)
{
	const char *path = need_str("socket");
	if (!path)
		return;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return answer_error("\"socket\" path too long for a unix socket");
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
	memcpy(copy, path, strlen(path) + 1);
	pid_t pid = fork();
	if (pid < 0)
		return answer_errno(errno, "fork");
	if (pid == 0) {
		fields_free();
		fork_child(copy);
	}
	begin_ok();
	out_fmt(",\"pid\":%d}", (int)pid);
	out_flush();
}

static int dispatch(void)
{
	struct field *idf = get("id");
	have_id = idf && idf->type == V_INT;
	req_id = have_id ? idf->num : 0;
	if (!have_id) {
		answer_error("\"id\" must be an integer");
		return 0;
	}
	const char *op = need_str("op");
	if (!op)
		return 0;
	if (!strcmp(op, "hello"))
		op_hello();
	else if (!strcmp(op, "mmap"))
		op_mmap();
	else if (!strcmp(op, "munmap"))
		op_munmap();
	else if (!strcmp(op, "write"))
		op_write();
	else if (!strcmp(op, "read"))
		op_read();
	else if (!strcmp(op, "touch"))
		op_touch();
	else if (!strcmp(op, "madvise"))
		op_madvise();
	else if (!strcmp(op, "pagemap"))
		op_pagemap();
	else if (!strcmp(op, "kpage"))
		op_kpage();
	else if (!strcmp(op, "iouring_register"))
		op_iouring_register();
	else if (!strcmp(op, "iouring_unregister"))
		op_iouring_unregister();
	else if (!strcmp(op, "mprotect"))
		op_mprotect();
	else if (!strcmp(op, "mremap"))
		op_mremap();
	else if (!strcmp(op, "fork"))
		op_fork();
	else if (!strcmp(op, "vmsplice"))
		op_vmsplice();
	else if (!strcmp(op, "pipe_peek"))
		op_pipe_peek();
	else if (!strcmp(op, "pipe_release"))
		op_pipe_release();
	else if (!strcmp(op, "iouring_dma_write"))
		op_iouring_dma_write();
	else if (!strcmp(op, "iouring_dma_read"))
		op_iouring_dma_read();
	else if (!strcmp(op, "dio"))
		op_dio();
	else if (!strcmp(op, "file_read"))
		op_file_read();
	else if (!strcmp(op, "fsync") || !strcmp(op, "sync_range") || !strcmp(op, "ftruncate") || !strcmp(op, "punch"))
		op_file_call(op);
	else if (!strcmp(op, "proc_mem_write"))
		op_proc_mem(1);
	else if (!strcmp(op, "proc_mem_read"))
		op_proc_mem(0);
	else if (!strcmp(op, "kfolio"))
		op_kfolio();
	else if (!strcmp(op, "status"))
		op_status();
	else if (!strcmp(op, "disk_read"))
		op_disk_read();
	else if (!strcmp(op, "exit")) {
		answer_empty();
		return 1;
	} else
		answer_error("unknown op");
	return 0;
}

/* Serves requests read from `in_fd` (answers go to out_fd) until exit or EOF. */
static int serve(int in_fd)
{
	FILE *in = fdopen(in_fd, "r");
	if (!in)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int done = 0;
	while (!done && (n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if ((size_t)n != strlen(line)) {
			have_id = 0;
			answer_error("NUL byte in request");
			continue;
		}
		if (parse_request(line)) {
			have_id = 0;
			answer_error(perr);
		} else {
			done = dispatch();
		}
		fields_free();
	}
	free(line);
	return 0;
}

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	for (int i = 0; i < MAX_RINGS; i++)
		rings[i].fd = -1;
	for (int i = 0; i < MAX_PIPES; i++)
		pipes[i].rd = pipes[i].wr = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* Forked children are reaped by the kernel (kernel/signal.c do_notify_parent). */
	signal(SIGCHLD, SIG_IGN);
	/* A reader gone away (a closed socket) is an EOF to notice, not a death. */
	signal(SIGPIPE, SIG_IGN);
	serve(0);
	for (int i = 0; i < MAX_RINGS; i++)
		if (rings[i].fd >= 0)
			ring_close(&rings[i]);
	for (int i = 0; i < MAX_PIPES; i++)
		if (pipes[i].rd >= 0)
			pipe_close(&pipes[i]);
	return 0;
}
