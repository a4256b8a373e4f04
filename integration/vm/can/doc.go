// Package can holds the kernel-VM tests of AF_CAN in sockcore and of
// canrelay on vcan0, vcan1 and vxcan interfaces (make vmtest).
package can
