/* Request words: encoding and the checks every request passes before a command sees it. */
#include "tp_ctl_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void perr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void perr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *tp_ctl_result_name(int r)
{
	switch (r) {
	case TP_CTL_DONE: return "done";
	case TP_CTL_REFUSED: return "refused";
	case TP_CTL_USAGE: return "usage";
	case TP_CTL_MALFORMED: return "malformed";
	case TP_CTL_TOO_LARGE: return "too-large";
	case TP_CTL_UNAVAILABLE: return "unavailable";
	default: return "error";
	}
}

/* UTF-8 per RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF), and no C0
 * control characters or DEL: these words end up in JSON replies and in the audit log. */
int tp_ctl_text_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		size_t k;
		uint32_t cp, min;
		if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (n - i - 1 < k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

int tp_ctl_req_encode(int argc, const char *const *argv, uint8_t *buf, size_t cap, char *err,
		      size_t errlen)
{
	if (argc < 1) {
		perr(err, errlen, "no command");
		return -1;
	}
	if ((unsigned)argc > TP_CTL_MAX_WORDS) {
		perr(err, errlen, "too many words (%d, at most %u)", argc, TP_CTL_MAX_WORDS);
		return -1;
	}
	if (cap > TP_CTL_MAX_REQUEST)
		cap = TP_CTL_MAX_REQUEST;
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (!tp_ctl_text_ok((const uint8_t *)argv[i], n)) {
			perr(err, errlen, "word %d is not printable UTF-8", i + 1);
			return -1;
		}
		if (n + 1 > cap - len) {
			perr(err, errlen, "request too long (at most %u bytes)", TP_CTL_MAX_REQUEST);
			return -1;
		}
		memcpy(buf + len, argv[i], n + 1);
		len += n + 1;
	}
	return (int)len;
}

int tp_ctl_req_parse(const uint8_t *payload, size_t len, const char **words, unsigned max,
		     char *err, size_t errlen)
{
	if (len == 0) {
		perr(err, errlen, "empty request");
		return -1;
	}
	if (len > TP_CTL_MAX_REQUEST) {
		perr(err, errlen, "request too large (%zu bytes, at most %u)", len,
		     TP_CTL_MAX_REQUEST);
		return -1;
	}
	if (payload[len - 1] != 0) {
		perr(err, errlen, "request does not end with a NUL byte");
		return -1;
	}
	unsigned n = 0;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (payload[i] != 0)
			continue;
		if (n == max || n == TP_CTL_MAX_WORDS) {
			perr(err, errlen, "too many words (at most %u)",
			     max < TP_CTL_MAX_WORDS ? max : TP_CTL_MAX_WORDS);
			return -1;
		}
		if (!tp_ctl_text_ok(payload + start, i - start)) {
			perr(err, errlen, "word %u is not printable UTF-8", n + 1);
			return -1;
		}
		words[n++] = (const char *)payload + start;
		start = i + 1;
	}
	if (words[0][0] == 0) {
		perr(err, errlen, "empty command word");
		return -1;
	}
	return (int)n;
}
