/* OUCH 5.0 Enter Order / Cancel Order encoding and decoding. Layout in tp_ouch.h. */
#include "tp_ouch.h"

#include <string.h>

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#define put_be32 tp_ouch_put_be32
#define put_be64 tp_ouch_put_be64

static uint16_t get_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

void tp_ouch_alpha(char *dst, size_t width, const char *src)
{
	size_t i = 0;
	if (src)
		for (; i < width && src[i]; i++)
			dst[i] = src[i];
	for (; i < width; i++)
		dst[i] = ' ';
}

int tp_ouch_add_tag(struct tp_ouch_enter *m, uint8_t tag, const void *value, uint8_t len)
{
	/* Length counts the tag byte and the value */
	if (len == UINT8_MAX || (size_t)m->appendage_len + 2u + len > TP_OUCH_MAX_APPENDAGE)
		return -1;
	uint8_t *p = m->appendage + m->appendage_len;
	p[0] = (uint8_t)(len + 1);
	p[1] = tag;
	if (len)
		memcpy(p + 2, value, len);
	m->appendage_len = (uint16_t)(m->appendage_len + 2u + len);
	return 0;
}

int tp_ouch_add_tag_u32(struct tp_ouch_enter *m, uint8_t tag, uint32_t value)
{
	uint8_t be[4];
	put_be32(be, value);
	return tp_ouch_add_tag(m, tag, be, 4);
}

size_t tp_ouch_encode_enter(uint8_t *buf, size_t cap, const struct tp_ouch_enter *m)
{
	size_t len = TP_OUCH_ENTER_LEN + m->appendage_len;
	if (m->appendage_len > TP_OUCH_MAX_APPENDAGE || cap < len)
		return 0;
	buf[0] = 'O';
	put_be32(buf + 1, m->user_ref_num);
	buf[5] = m->side;
	put_be32(buf + 6, m->qty);
	memcpy(buf + 10, m->symbol, TP_OUCH_SYMBOL_LEN);
	put_be64(buf + 18, m->price);
	buf[26] = m->tif;
	buf[27] = m->display;
	buf[28] = m->capacity;
	buf[29] = m->ise;
	buf[30] = m->cross_type;
	memcpy(buf + 31, m->clordid, TP_OUCH_CLORDID_LEN);
	put_be16(buf + 45, m->appendage_len);
	if (m->appendage_len)
		memcpy(buf + TP_OUCH_ENTER_LEN, m->appendage, m->appendage_len);
	return len;
}

size_t tp_ouch_encode_cancel(uint8_t *buf, size_t cap, uint32_t user_ref_num, uint32_t qty)
{
	if (cap < TP_OUCH_CANCEL_LEN)
		return 0;
	buf[0] = 'X';
	put_be32(buf + 1, user_ref_num);
	put_be32(buf + 5, qty);
	return TP_OUCH_CANCEL_LEN;
}

/* Appendages must be whole TagValue elements, each with a tag byte. */
static int appendages_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t el = (size_t)p[i] + 1; /* the length byte itself is not counted */
		if (p[i] == 0 || el > n - i)
			return 0;
		i += el;
	}
	return 1;
}

int tp_ouch_decode(const uint8_t *buf, size_t len, struct tp_ouch_msg *out)
{
	if (len == 0)
		return -1;
	switch (buf[0]) {
	case 'O': {
		if (len < TP_OUCH_ENTER_LEN)
			return -1;
		uint16_t alen = get_be16(buf + 45);
		if (len != TP_OUCH_ENTER_LEN + (size_t)alen || alen > TP_OUCH_MAX_APPENDAGE ||
		    !appendages_ok(buf + TP_OUCH_ENTER_LEN, alen))
			return -1;
		struct tp_ouch_enter *m = &out->u.enter;
		out->type = 'O';
		m->user_ref_num = get_be32(buf + 1);
		m->side = buf[5];
		m->qty = get_be32(buf + 6);
		memcpy(m->symbol, buf + 10, TP_OUCH_SYMBOL_LEN);
		m->price = get_be64(buf + 18);
		m->tif = buf[26];
		m->display = buf[27];
		m->capacity = buf[28];
		m->ise = buf[29];
		m->cross_type = buf[30];
		memcpy(m->clordid, buf + 31, TP_OUCH_CLORDID_LEN);
		m->appendage_len = alen;
		if (alen)
			memcpy(m->appendage, buf + TP_OUCH_ENTER_LEN, alen);
		return 0;
	}
	case 'X':
		if (len != TP_OUCH_CANCEL_LEN)
			return -1;
		out->type = 'X';
		out->u.cancel.user_ref_num = get_be32(buf + 1);
		out->u.cancel.qty = get_be32(buf + 5);
		return 0;
	default:
		return -1;
	}
}
