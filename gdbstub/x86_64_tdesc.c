/*
 * x86_64_tdesc.c: target.xml, the target description gdb reads with qXfer:features:read.
 *
 * Written once, on first use, from the register table of x86_64_regs.c: every row becomes a
 * <reg> with its gdb number, inside the <feature> the row names. Each feature also defines the
 * types its registers use that gdb does not predefine (the eflags and mxcsr bit fields, the
 * vec128 union of an xmm register). The result is about 6 KB.
 */
#include "gdb_internal.h"

struct flag_bit {
	const char *name;
	uint8_t bit;
};

static const struct flag_bit eflags_bits[] = {
	{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"TF", 8}, {"IF", 9},
	{"DF", 10}, {"OF", 11}, {"NT", 14}, {"RF", 16}, {"VM", 17}, {"AC", 18},
	{"VIF", 19}, {"VIP", 20}, {"ID", 21},
};

static const struct flag_bit mxcsr_bits[] = {
	{"IE", 0}, {"DE", 1}, {"ZE", 2}, {"OE", 3}, {"UE", 4}, {"PE", 5}, {"DAZ", 6},
	{"IM", 7}, {"DM", 8}, {"ZM", 9}, {"OM", 10}, {"UM", 11}, {"PM", 12}, {"FZ", 15},
};

/* The views of an xmm register: a vector type per element type, then the union of them. */
static const struct {
	const char *field;  /* name in the union */
	const char *id;     /* vector type id */
	const char *type;   /* element type */
	unsigned count;
} vec128_views[] = {
	{"v4_float", "v4f", "ieee_single", 4},
	{"v2_double", "v2d", "ieee_double", 2},
	{"v16_int8", "v16i8", "int8", 16},
	{"v8_int16", "v8i16", "int16", 8},
	{"v4_int32", "v4i32", "int32", 4},
	{"v2_int64", "v2i64", "int64", 2},
};

static struct {
	char text[8192];
	size_t len;
	bool built;
} xml;

static void put_flags(struct gdb_sbuf *sb, const char *id, const struct flag_bit *bits, size_t n)
{
	sb_puts(sb, "<flags id=\"");
	sb_puts(sb, id);
	sb_puts(sb, "\" size=\"4\">\n");
	for (size_t i = 0; i < n; i++) {
		sb_puts(sb, "  <field name=\"");
		sb_puts(sb, bits[i].name);
		sb_puts(sb, "\" start=\"");
		sb_put_dec(sb, bits[i].bit);
		sb_puts(sb, "\" end=\"");
		sb_put_dec(sb, bits[i].bit);
		sb_puts(sb, "\"/>\n");
	}
	sb_puts(sb, "</flags>\n");
}

static void put_vec128(struct gdb_sbuf *sb)
{
	size_t n = sizeof(vec128_views) / sizeof(vec128_views[0]);

	for (size_t i = 0; i < n; i++) {
		sb_puts(sb, "<vector id=\"");
		sb_puts(sb, vec128_views[i].id);
		sb_puts(sb, "\" type=\"");
		sb_puts(sb, vec128_views[i].type);
		sb_puts(sb, "\" count=\"");
		sb_put_dec(sb, vec128_views[i].count);
		sb_puts(sb, "\"/>\n");
	}
	sb_puts(sb, "<union id=\"vec128\">\n");
	for (size_t i = 0; i < n; i++) {
		sb_puts(sb, "  <field name=\"");
		sb_puts(sb, vec128_views[i].field);
		sb_puts(sb, "\" type=\"");
		sb_puts(sb, vec128_views[i].id);
		sb_puts(sb, "\"/>\n");
	}
	sb_puts(sb, "  <field name=\"uint128\" type=\"uint128\"/>\n</union>\n");
}

static void put_feature_types(struct gdb_sbuf *sb, size_t feature)
{
	if (feature == 0) {
		put_flags(sb, "i386_eflags", eflags_bits, sizeof(eflags_bits) / sizeof(eflags_bits[0]));
	} else if (feature == 1) {
		put_vec128(sb);
		put_flags(sb, "i386_mxcsr", mxcsr_bits, sizeof(mxcsr_bits) / sizeof(mxcsr_bits[0]));
	}
}

static void put_reg(struct gdb_sbuf *sb, const struct gdb_reg_desc *r)
{
	sb_puts(sb, "<reg name=\"");
	sb_puts(sb, r->name);
	sb_puts(sb, "\" bitsize=\"");
	sb_put_dec(sb, r->bitsize);
	sb_puts(sb, "\" type=\"");
	sb_puts(sb, r->type);
	sb_puts(sb, "\" regnum=\"");
	sb_put_dec(sb, r->regnum);
	if (r->group != NULL) {
		sb_puts(sb, "\" group=\"");
		sb_puts(sb, r->group);
	}
	sb_puts(sb, "\"/>\n");
}

static void build(void)
{
	struct gdb_sbuf sb;

	sb_init(&sb, xml.text, sizeof(xml.text));
	sb_puts(&sb, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		     "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n");
	for (size_t f = 0; f < gdb_arch_nfeatures; f++) {
		sb_puts(&sb, "<feature name=\"");
		sb_puts(&sb, gdb_arch_features[f]);
		sb_puts(&sb, "\">\n");
		put_feature_types(&sb, f);
		for (size_t i = 0; i < gdb_arch_nregs; i++) {
			if (gdb_arch_regs[i].feature == f)
				put_reg(&sb, &gdb_arch_regs[i]);
		}
		sb_puts(&sb, "</feature>\n");
	}
	sb_puts(&sb, "</target>\n");
	xml.len = sb.overflow ? 0 : sb.len;
	xml.built = true;
}

const char *gdb_arch_target_xml(size_t *len)
{
	if (!xml.built)
		build();
	*len = xml.len;
	return xml.len != 0 ? xml.text : NULL;
}
