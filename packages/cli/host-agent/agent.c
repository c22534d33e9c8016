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
 * FOLL_WRITE | FOLL_LONGTERM by io_uring/rsrc.c io_sqe_buffers_register (raw syscalls, no liburing).
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
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/io_uring.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
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

static void out_flush(void)
{
	out_put("\n", 1);
	fwrite(out, 1, out_len, stdout);
	fflush(stdout);
	out_len = 0;
}

/* ---------- request parser: one flat object of strings, integers, booleans ---------- */

enum vtype { V_STR, V_INT, V_BOOL };
#define MAX_FIELDS 16
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

static void op_mmap(void)
{
	size_t length;
	const char *prot_s, *flags_s, *backing;
	if (need_size("length", &length) || !(prot_s = need_str("prot")) || !(flags_s = need_str("flags")) ||
	    !(backing = need_str("backing")))
		return;
	int prot;
	if (!strcmp(prot_s, "none"))
		prot = PROT_NONE;
	else if (!strcmp(prot_s, "r"))
		prot = PROT_READ;
	else if (!strcmp(prot_s, "rw"))
		prot = PROT_READ | PROT_WRITE;
	else
		return answer_error("\"prot\" is \"none\", \"r\" or \"rw\"");
	int flags;
	if (!strcmp(flags_s, "private"))
		flags = MAP_PRIVATE;
	else if (!strcmp(flags_s, "shared"))
		flags = MAP_SHARED;
	else
		return answer_error("\"flags\" is \"private\" or \"shared\"");
	int fd = -1;
	if (!strcmp(backing, "anon")) {
		flags |= MAP_ANONYMOUS;
	} else if (!strcmp(backing, "memfd")) {
		const char *name = need_str("name");
		if (!name)
			return;
		fd = memfd_create(name, 0);
		if (fd < 0)
			return answer_errno(errno, "memfd_create");
		if (ftruncate(fd, (off_t)length)) {
			int e = errno;
			close(fd);
			return answer_errno(e, "ftruncate");
		}
	} else if (!strcmp(backing, "file")) {
		const char *path = need_str("path");
		if (!path)
			return;
		fd = open(path, (prot & PROT_WRITE) ? O_RDWR | O_CREAT : O_RDONLY, 0600);
		if (fd < 0)
			return answer_errno(errno, "open");
		off_t size = lseek(fd, 0, SEEK_END);
		if (size >= 0 && (size_t)size < length && (prot & PROT_WRITE) && ftruncate(fd, (off_t)length)) {
			int e = errno;
			close(fd);
			return answer_errno(e, "ftruncate");
		}
	} else {
		return answer_error("\"backing\" is \"anon\", \"memfd\" or \"file\"");
	}
	void *a = mmap(NULL, length, prot, flags, fd, 0);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (a == MAP_FAILED)
		return answer_errno(e, "mmap");
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
	} else {
		if (hex->str_len % 2)
			return answer_error("\"hex\" has an odd number of digits");
		n = hex->str_len / 2;
		for (size_t i = 0; i < n; i++) {
			int h = hexval(hex->str[2 * i]), l = hexval(hex->str[2 * i + 1]);
			if (h < 0 || l < 0)
				return answer_error("\"hex\" has a non-hex digit");
			hex->str[i] = (char)(h * 16 + l); /* decoded in place */
		}
		data = hex->str;
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
	if (length > (64u << 20))
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
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)read_buf[i];
		char two[2] = { digits[c >> 4], digits[c & 15] };
		out_put(two, 2);
	}
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
	else
		return answer_error("\"advice\" is dontneed, pageout, hugepage, nohugepage or collapse");
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
	out_fmt(",\"count\":%" PRIu64 ",\"flags\":[", count);
	int first = 1;
	for (unsigned b = 0; b < sizeof kpf_names / sizeof kpf_names[0]; b++)
		if (flags >> b & 1) {
			out_fmt("%s\"%s\"", first ? "" : ",", kpf_names[b]);
			first = 0;
		}
	out_fmt("],\"raw\":\"0x%" PRIx64 "\"}", flags);
	out_flush();
}

/* io_uring rings holding fixed buffers; the ring id is the index here. */
#define MAX_RINGS 64
static int rings[MAX_RINGS];

/* IORING_REGISTER_BUFFERS: io_uring/rsrc.c io_sqe_buffers_register pins the range with
 * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) until the buffers are unregistered or the ring dies. */
static void op_iouring_register(void)
{
	uintptr_t addr;
	size_t length;
	if (need_addr("addr", &addr) || need_size("length", &length))
		return;
	int id = 0;
	while (id < MAX_RINGS && rings[id] >= 0)
		id++;
	if (id == MAX_RINGS)
		return answer_error("too many rings");
	struct io_uring_params params;
	memset(&params, 0, sizeof params);
	int ring = (int)syscall(__NR_io_uring_setup, 1, &params);
	if (ring < 0)
		return answer_errno(errno, "io_uring_setup");
	struct iovec iov = { (void *)addr, length };
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1)) {
		int e = errno;
		close(ring);
		return answer_errno(e, "io_uring_register");
	}
	rings[id] = ring;
	begin_ok();
	out_fmt(",\"ring\":%d}", id);
	out_flush();
}

/* IORING_UNREGISTER_BUFFERS, then close the ring (the unpin itself may complete asynchronously). */
static void op_iouring_unregister(void)
{
	long long id;
	if (need_int("ring", &id))
		return;
	if (id < 0 || id >= MAX_RINGS || rings[id] < 0)
		return answer_error("no such ring");
	int ring = rings[id];
	if (syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0))
		return answer_errno(errno, "io_uring_register");
	close(ring);
	rings[id] = -1;
	begin_ok();
	out_str("}");
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
	else if (!strcmp(op, "exit")) {
		begin_ok();
		out_str("}");
		out_flush();
		return 1;
	} else
		answer_error("unknown op");
	return 0;
}

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	for (int i = 0; i < MAX_RINGS; i++)
		rings[i] = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int done = 0;
	while (!done && (n = getline(&line, &cap, stdin)) >= 0) {
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
	for (int i = 0; i < MAX_RINGS; i++)
		if (rings[i] >= 0)
			close(rings[i]);
	return 0;
}
