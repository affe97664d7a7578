/* junit.c - the JUnit XML report. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "junit.h"
#include "util.h"

struct junit_case {
	char *name;
	enum sc_junit_status status;
	char *reason;
	char *output;
	size_t output_len;
	double seconds;
};

struct junit_suite {
	char *name;
	struct junit_case *cases;
	size_t n_cases;
};

struct sc_junit {
	struct junit_suite *suites;
	size_t n_suites;
};

int sc_junit_new(struct sc_junit **ret_junit)
{
	*ret_junit = calloc(1, sizeof(**ret_junit));
	return *ret_junit ? 0 : -ENOMEM;
}

struct sc_junit *sc_junit_free(struct sc_junit *j)
{
	if (!j)
		return NULL;
	for (size_t s = 0; s < j->n_suites; s++) {
		for (size_t c = 0; c < j->suites[s].n_cases; c++) {
			free(j->suites[s].cases[c].name);
			free(j->suites[s].cases[c].reason);
			free(j->suites[s].cases[c].output);
		}
		free(j->suites[s].cases);
		free(j->suites[s].name);
	}
	free(j->suites);
	free(j);
	return NULL;
}

int sc_junit_suite(struct sc_junit *j, const char *name)
{
	struct junit_suite *more = realloc(j->suites, (j->n_suites + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	j->suites = more;
	j->suites[j->n_suites] = (struct junit_suite){ .name = strdup(name) };
	if (!j->suites[j->n_suites].name)
		return -ENOMEM;
	j->n_suites++;
	return 0;
}

static struct junit_case *current(struct sc_junit *j)
{
	if (j->n_suites == 0 || j->suites[j->n_suites - 1].n_cases == 0)
		return NULL;
	struct junit_suite *s = &j->suites[j->n_suites - 1];
	return &s->cases[s->n_cases - 1];
}

int sc_junit_case(struct sc_junit *j, const char *name, enum sc_junit_status status, const char *reason)
{
	if (j->n_suites == 0 && sc_junit_suite(j, "simpcon-test") < 0)
		return -ENOMEM;
	struct junit_suite *s = &j->suites[j->n_suites - 1];
	struct junit_case *more = realloc(s->cases, (s->n_cases + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	s->cases = more;
	struct junit_case *c = &s->cases[s->n_cases];
	*c = (struct junit_case){ .name = strdup(name), .status = status, .reason = reason ? strdup(reason) : NULL };
	if (!c->name || (reason && !c->reason)) {
		free(c->name);
		free(c->reason);
		return -ENOMEM;
	}
	s->n_cases++;
	return 0;
}

int sc_junit_output(struct sc_junit *j, const char *text, size_t len)
{
	struct junit_case *c = current(j);
	if (!c)
		return 0;
	char *more = realloc(c->output, c->output_len + len + 1);
	if (!more)
		return -ENOMEM;
	memcpy(more + c->output_len, text, len);
	c->output_len += len;
	more[c->output_len] = '\0';
	c->output = more;
	return 0;
}

void sc_junit_time(struct sc_junit *j, double seconds)
{
	struct junit_case *c = current(j);
	if (c)
		c->seconds = seconds;
}

static int grow(char **buf, size_t *len, size_t *cap, size_t n)
{
	if (*len + n + 1 <= *cap)
		return 0;
	size_t c = *cap ? *cap : 1024;
	while (c < *len + n + 1)
		c *= 2;
	char *more = realloc(*buf, c);
	if (!more)
		return -ENOMEM;
	*buf = more;
	*cap = c;
	return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (grow(buf, len, cap, n) < 0)
		return -ENOMEM;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return n < 0 ? -EINVAL : append(buf, len, cap, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not valid. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
			 (s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)))
		return 0; /* overlong, surrogate, or U+FFFE/U+FFFF which XML forbids */
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || s[0] > 0xf4 || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

int sc_junit_escape(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		int r;
		size_t k = utf8_length(u + i, n - i);
		if (k == 0 || (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7f) {
			r = appendf(buf, len, cap, "\\x%02x", u[i]);
			k = 1;
		} else if (u[i] == '&')
			r = append(buf, len, cap, "&amp;", 5);
		else if (u[i] == '<')
			r = append(buf, len, cap, "&lt;", 4);
		else if (u[i] == '>')
			r = append(buf, len, cap, "&gt;", 4);
		else if (u[i] == '"')
			r = append(buf, len, cap, "&quot;", 6);
		else if (u[i] == '\'')
			r = append(buf, len, cap, "&apos;", 6);
		else
			r = append(buf, len, cap, s + i, k);
		if (r < 0)
			return r;
		i += k;
	}
	return 0;
}

#define ESC(s) sc_junit_escape(&buf, &len, &cap, (s), strlen(s))

/* The failure's message: the YAML "message:" field, else the first line of the block. */
static void failure_message(const struct junit_case *c, char *msg, size_t size)
{
	const char *out = c->output ? c->output : "";
	const char *m = strstr(out, "  message: ");
	const char *from = m ? m + 11 : out + strspn(out, " ");
	snprintf(msg, size, "%.*s", (int)strcspn(from, "\n"), from);
	if (!msg[0])
		snprintf(msg, size, "%s", c->reason ? c->reason : "failed");
}

static int write_case(char **bufp, size_t *lenp, size_t *capp, const struct junit_case *c, const char *suite)
{
	char *buf = *bufp;
	size_t len = *lenp, cap = *capp;
	int r = append(&buf, &len, &cap, "    <testcase name=\"", 20);
	r = r ?: ESC(c->name);
	r = r ?: append(&buf, &len, &cap, "\" classname=\"", 13);
	r = r ?: ESC(suite);
	r = r ?: appendf(&buf, &len, &cap, "\" time=\"%.3f\">\n", c->seconds);
	if (r == 0 && c->status == SC_JUNIT_SKIP) {
		r = append(&buf, &len, &cap, "      <skipped message=\"", 24);
		r = r ?: ESC(c->reason ? c->reason : "");
		r = r ?: append(&buf, &len, &cap, "\"/>\n", 4);
	} else if (r == 0 && (c->status == SC_JUNIT_FAIL || c->status == SC_JUNIT_ERROR)) {
		const char *element = c->status == SC_JUNIT_FAIL ? "failure" : "error";
		char msg[256];
		failure_message(c, msg, sizeof(msg));
		r = appendf(&buf, &len, &cap, "      <%s message=\"", element);
		r = r ?: ESC(msg);
		r = r ?: appendf(&buf, &len, &cap, "\" type=\"%s\">", element);
		r = r ?: sc_junit_escape(&buf, &len, &cap, c->output ? c->output : "", c->output_len);
		r = r ?: appendf(&buf, &len, &cap, "</%s>\n", element);
	}
	if (r == 0 && c->output_len > 0) {
		r = append(&buf, &len, &cap, "      <system-out>", 18);
		r = r ?: sc_junit_escape(&buf, &len, &cap, c->output, c->output_len);
		r = r ?: append(&buf, &len, &cap, "</system-out>\n", 14);
	}
	r = r ?: append(&buf, &len, &cap, "    </testcase>\n", 16);
	*bufp = buf;
	*lenp = len;
	*capp = cap;
	return r;
}

static int render(const struct sc_junit *j, char **ret)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r = append(&buf, &len, &cap, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", 52);
	for (size_t s = 0; r == 0 && s < j->n_suites; s++) {
		const struct junit_suite *su = &j->suites[s];
		size_t failures = 0, errors = 0, skipped = 0;
		double seconds = 0;
		for (size_t c = 0; c < su->n_cases; c++) {
			failures += su->cases[c].status == SC_JUNIT_FAIL;
			errors += su->cases[c].status == SC_JUNIT_ERROR;
			skipped += su->cases[c].status == SC_JUNIT_SKIP;
			seconds += su->cases[c].seconds;
		}
		r = append(&buf, &len, &cap, "  <testsuite name=\"", 19);
		r = r ?: ESC(su->name);
		r = r ?: appendf(&buf, &len, &cap, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
				 su->n_cases, failures, errors, skipped, seconds);
		for (size_t c = 0; r == 0 && c < su->n_cases; c++)
			r = write_case(&buf, &len, &cap, &su->cases[c], su->name);
		r = r ?: append(&buf, &len, &cap, "  </testsuite>\n", 15);
	}
	r = r ?: append(&buf, &len, &cap, "</testsuites>\n", 14);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

int sc_junit_write(const struct sc_junit *j, const char *path, struct sc_error *err)
{
	_cleanup_free_ char *xml = NULL, *tmp = NULL;
	if (render(j, &xml) < 0 || asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return sc_error_set(err, ENOMEM, "render the JUnit report");
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(err, errno, "create '%s' (check the --junit path)", tmp);
	int r = sc_write_all(fd, xml, strlen(xml));
	if (r == 0 && (fchmod(fd, 0644) < 0 || rename(tmp, path) < 0))
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return sc_error_set(err, -r, "write JUnit report '%s'", path);
	}
	return 0;
}
