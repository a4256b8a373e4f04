// Package sniff tests sniff in the kernel VM tier (make vmtest) on link
// types the host cannot give it: a vcan interface (LINKTYPE_CAN_SOCKETCAN)
// and the Bluetooth monitor channel (LINKTYPE_BLUETOOTH_LINUX_MONITOR).
package sniff
