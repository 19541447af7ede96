/* lib/format.c: see format.h. Portable; unit-tested on the host (tests/unit/test_format.c). */
#include "lib/format.h"

#include <stdint.h>

struct out {
	char *buf;
	size_t size, len;
};

struct spec {
	int left, zero, width, precision, base, upper, is_signed;
	int length; /* 0 int, 1 long, 2 long long, 3 size_t */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while (str[n] && (s->precision < 0 || n < s->precision))
		n++;
	if (!s->left)
		pad(o, s->width - n, ' ');
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, s->width - n, ' ');
}

static void put_number(struct out *o, const struct spec *s, uint64_t v, int negative)
{
	const char *digits = s->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % (unsigned)s->base];
		v /= (unsigned)s->base;
	} while (v);
	int total = n + negative;
	if (negative && s->zero)
		put(o, '-');
	if (!s->left)
		pad(o, s->width - total, s->zero ? '0' : ' ');
	if (negative && !s->zero)
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		pad(o, s->width - total, ' ');
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .precision = -1, .base = 10 };
	for (;; f++) {
		if (*f == '-')
			s->left = 1;
		else if (*f == '0')
			s->zero = 1;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		s->precision = 0;
		if (*f == '*') {
			s->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->precision = s->precision * 10 + (*f++ - '0');
	}
	for (; *f == 'l' || *f == 'z'; f++)
		s->length = *f == 'z' ? 3 : s->length + 1;
	if (s->left)
		s->zero = 0;
	return f;
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned long long);
	}
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, long long);
	}
}

static void convert(struct out *o, struct spec *s, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(s, ap);
		put_number(o, s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
		return;
	}
	case 'X':
		s->upper = 1;
		/* fall through */
	case 'x':
		s->base = 16;
		put_number(o, s, fetch_unsigned(s, ap), 0);
		return;
	case 'o':
		s->base = 8;
		/* fall through */
	case 'u':
		put_number(o, s, fetch_unsigned(s, ap), 0);
		return;
	case 'p':
		put(o, '0');
		put(o, 'x');
		s->base = 16;
		put_number(o, s, (uintptr_t)va_arg(*ap, void *), 0);
		return;
	case 'c':
		put(o, (char)va_arg(*ap, int));
		return;
	case 's':
		put_string(o, s, va_arg(*ap, const char *));
		return;
	default:
		put(o, '%');
		if (conv)
			put(o, conv);
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		if (f[1] == '%') {
			put(&o, '%');
			f++;
			continue;
		}
		struct spec s;
		f = parse_spec(f + 1, &s, &args);
		convert(&o, &s, *f, &args);
		if (!*f)
			break;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
