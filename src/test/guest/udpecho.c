/* A UDP echo server for the test guest (busybox has no UDP server): udpecho PORT answers each
 * datagram with "echo:" followed by the datagram. Test tooling only; built static by build-guest.sh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: udpecho PORT\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        perror("udpecho");
        return 1;
    }
    char in[65536], out[65536 + 5];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *) &from, &fromlen);
        if (n < 0) continue;
        memcpy(out, "echo:", 5);
        memcpy(out + 5, in, n);
        sendto(fd, out, n + 5, 0, (struct sockaddr *) &from, fromlen);
    }
}
