package openai

import (
	"strconv"
	"unicode/utf16"
)

// shortHash is the 53-bit string hash pi-ai uses to shorten ids (the public
// cyrb53 construction over UTF-16 code units), printed as two base-36
// numbers. Reproducing it keeps shortened ids identical to pi's, so a
// conversation continued here sends the same ids pi would.
func shortHash(s string) string {
	h1, h2 := uint32(0xdeadbeef), uint32(0x41c6ce57)
	for _, ch := range utf16.Encode([]rune(s)) {
		h1 = (h1 ^ uint32(ch)) * 2654435761
		h2 = (h2 ^ uint32(ch)) * 1597334677
	}
	h1 = (h1^(h1>>16))*2246822507 ^ (h2^(h2>>13))*3266489909
	h2 = (h2^(h2>>16))*2246822507 ^ (h1^(h1>>13))*3266489909
	return strconv.FormatUint(uint64(h2), 36) + strconv.FormatUint(uint64(h1), 36)
}
