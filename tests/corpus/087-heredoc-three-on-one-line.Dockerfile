FROM alpine
COPY <<A <<B <<C /dst/
a
A
b
B

C
