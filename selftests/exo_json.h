/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON reader (RFC 8259) for tests of --json output: the guest
 * has no jq or Python. It builds a small tree the tests query. Anything
 * RFC 8259 does not allow is rejected, and so are duplicate keys, which it
 * leaves open but no exo tool should print.
 */
#ifndef EXO_JSON_H
#define EXO_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum exo_json_type { EXO_JSON_NULL, EXO_JSON_BOOL, EXO_JSON_NUM,
		     EXO_JSON_STR, EXO_JSON_ARR, EXO_JSON_OBJ };

struct exo_json {
	enum exo_json_type type;
	char *key;		/* a member's name, inside an object */
	char *str;		/* EXO_JSON_STR */
	bool boolean;
	bool is_uint;		/* a whole number >= 0 that fits in u64 */
	uint64_t uint;
	size_t len;		/* members of an array or object */
	struct exo_json *first, *next;
};

struct exo_json_parser {
	const char *p;
	int depth;
};

#define EXO_JSON_DEPTH_MAX 64

static inline void exo_json_free(struct exo_json *j)
{
	while (j) {
		struct exo_json *next = j->next;

		exo_json_free(j->first);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

static inline void exo_json_ws(struct exo_json_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static inline int exo_json_hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at ps->p (on its opening quote); malloc'd, or NULL. */
static inline char *exo_json_string(struct exo_json_parser *ps)
{
	size_t room = strlen(ps->p) + 1, n = 0;
	char *out = malloc(room);
	int cp;

	if (!out || *ps->p != '"') {
		free(out);
		return NULL;
	}
	ps->p++;
	for (;;) {
		unsigned char c = (unsigned char)*ps->p++;

		if (c == '"')
			break;
		if (c < 0x20)		/* also the end of the text */
			goto bad;
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': case '\\': case '/':
			out[n++] = (char)c;
			break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			cp = exo_json_hex4(ps->p);
			if (cp < 0)
				goto bad;
			ps->p += 4;
			/* Tests only compare ASCII; keep others as '?'. */
			out[n++] = cp < 0x80 && cp ? (char)cp : '?';
			break;
		default:
			goto bad;
		}
	}
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static inline struct exo_json *exo_json_value(struct exo_json_parser *ps);

static inline bool exo_json_number(struct exo_json_parser *ps,
				   struct exo_json *j)
{
	const char *start = ps->p;
	bool whole = true;

	if (*ps->p == '-') {
		ps->p++;
		whole = false;
	}
	if (*ps->p == '0')
		ps->p++;
	else if (*ps->p >= '1' && *ps->p <= '9')
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	else
		return false;
	if (*ps->p == '.') {
		ps->p++;
		whole = false;
		if (*ps->p < '0' || *ps->p > '9')
			return false;
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		ps->p++;
		whole = false;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (*ps->p < '0' || *ps->p > '9')
			return false;
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	j->type = EXO_JSON_NUM;
	if (whole && ps->p - start <= 20) {
		char digits[24];
		char *end;

		memcpy(digits, start, ps->p - start);
		digits[ps->p - start] = '\0';
		errno = 0;
		j->uint = strtoull(digits, &end, 10);
		j->is_uint = !errno && !*end;
	}
	return true;
}

/* Members of an array or object; ps->p is past the opening bracket. */
static inline bool exo_json_members(struct exo_json_parser *ps,
				    struct exo_json *j, bool object)
{
	struct exo_json **tail = &j->first, *m, *o;
	char close = object ? '}' : ']';
	char *key = NULL;

	exo_json_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		exo_json_ws(ps);
		if (object) {
			key = exo_json_string(ps);
			if (!key)
				return false;
			for (o = j->first; o; o = o->next)
				if (!strcmp(o->key, key)) {
					free(key);
					return false;
				}
			exo_json_ws(ps);
			if (*ps->p++ != ':') {
				free(key);
				return false;
			}
		}
		m = exo_json_value(ps);
		if (!m) {
			free(key);
			return false;
		}
		m->key = key;
		key = NULL;
		*tail = m;
		tail = &m->next;
		j->len++;
		exo_json_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return false;
		return true;
	}
}

static inline struct exo_json *exo_json_value(struct exo_json_parser *ps)
{
	struct exo_json *j = calloc(1, sizeof(*j));
	bool ok = false;

	if (!j)
		return NULL;
	if (++ps->depth > EXO_JSON_DEPTH_MAX)
		goto out;
	exo_json_ws(ps);
	switch (*ps->p) {
	case '{':
	case '[':
		j->type = *ps->p == '{' ? EXO_JSON_OBJ : EXO_JSON_ARR;
		ps->p++;
		ok = exo_json_members(ps, j, j->type == EXO_JSON_OBJ);
		break;
	case '"':
		j->type = EXO_JSON_STR;
		j->str = exo_json_string(ps);
		ok = j->str != NULL;
		break;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "null", 4)) {
			j->type = *ps->p == 't' ? EXO_JSON_BOOL : EXO_JSON_NULL;
			j->boolean = *ps->p == 't';
			ps->p += 4;
			ok = true;
		} else if (!strncmp(ps->p, "false", 5)) {
			j->type = EXO_JSON_BOOL;
			ps->p += 5;
			ok = true;
		}
		break;
	default:
		ok = exo_json_number(ps, j);
	}
out:
	ps->depth--;
	if (!ok) {
		exo_json_free(j);
		return NULL;
	}
	return j;
}

/* The document in @text, whole (only whitespace after it), or NULL. */
static inline struct exo_json *exo_json_parse(const char *text)
{
	struct exo_json_parser ps = { .p = text };
	struct exo_json *j = exo_json_value(&ps);

	if (!j)
		return NULL;
	exo_json_ws(&ps);
	if (*ps.p) {
		exo_json_free(j);
		return NULL;
	}
	return j;
}

/* Member @key of object @j, or NULL. */
static inline const struct exo_json *exo_json_get(const struct exo_json *j,
						  const char *key)
{
	const struct exo_json *m;

	if (!j || j->type != EXO_JSON_OBJ)
		return NULL;
	for (m = j->first; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

/* Element @i of array @j, or NULL. */
static inline const struct exo_json *exo_json_at(const struct exo_json *j,
						 size_t i)
{
	const struct exo_json *m;

	if (!j || j->type != EXO_JSON_ARR)
		return NULL;
	for (m = j->first; m && i; m = m->next)
		i--;
	return m;
}

/* Member @key as a u64; ~0 if absent or not a whole number. */
static inline uint64_t exo_json_u64(const struct exo_json *j, const char *key)
{
	const struct exo_json *m = exo_json_get(j, key);

	return m && m->type == EXO_JSON_NUM && m->is_uint ? m->uint : ~0ULL;
}

/* Member @key as a string; NULL if absent or not a string. */
static inline const char *exo_json_str(const struct exo_json *j,
				       const char *key)
{
	const struct exo_json *m = exo_json_get(j, key);

	return m && m->type == EXO_JSON_STR ? m->str : NULL;
}

#endif /* EXO_JSON_H */
