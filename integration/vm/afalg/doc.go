// Package afalg tests AF_ALG in the kernel VM tier (make vmtest): sockcore's
// ALGAddr, Accept and SendMsgAFALG against the kernel, and afalg-hash's
// kernel backend against Go's crypto, the standard vectors and kcapi-dgst.
package afalg
