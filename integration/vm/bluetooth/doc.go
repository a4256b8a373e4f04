// Package bluetooth tests AF_BLUETOOTH in the kernel VM tier (make vmtest):
// sockcore's HCI, L2CAP, RFCOMM and SCO addresses and the HCI socket options
// against a virtual controller from hci_vhci, which the test itself plays by
// answering the commands the kernel writes to /dev/vhci.
package bluetooth
