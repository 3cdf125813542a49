/* Unit test: SHA-256 against the FIPS 180-4 examples (NIST's vectors). */
#include <string.h>

#include "sha256.h"
#include "unit.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* One-shot, and fed in pieces of every size from 1 to 129 bytes. */
static void check_vector(const char *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char got[2 * SHA256_DIGEST_SIZE + 1];

	sha256(msg, len, d);
	hex(d, got);
	CHECK(!strcmp(got, want), "sha256 of %zu bytes: %s, expected %s",
	      len, got, want);
	for (size_t step = 1; step <= 129; step++) {
		struct sha256 ctx;

		sha256_init(&ctx);
		for (size_t off = 0; off < len; off += step)
			sha256_update(&ctx, msg + off,
				      len - off < step ? len - off : step);
		sha256_final(&ctx, d);
		hex(d, got);
		CHECK(!strcmp(got, want), "sha256 of %zu bytes in %zu-byte "
		      "pieces: %s", len, step, got);
	}
}

int main(void)
{
	static char million[1000000];
	static const char two_block[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char long_msg[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	check_vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
	check_vector("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855");
	check_vector(two_block, strlen(two_block),
		     "248d6a61d20638b8e5c026930c3e6039"
		     "a33ce45964ff2167f6ecedd419db06c1");
	check_vector(long_msg, strlen(long_msg),
		     "cf5b16a778af8380036ce59e7b049237"
		     "0b249b11e8f07a51afac45037afee9d1");
	memset(million, 'a', sizeof(million));
	check_vector(million, sizeof(million),
		     "cdc76e5c9914fb9281a1c7e284d73e67"
		     "f1809a48a497200e046d39ccc7112cd0");
	return unit_finish();
}
