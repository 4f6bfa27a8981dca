FROM alpine
RUN --network=none 3<<A 5<<"B" sh -c 'cat <&3; cat <&5'
three
A
five $NOT
B
CMD ["sh", "-c", "echo done"]
