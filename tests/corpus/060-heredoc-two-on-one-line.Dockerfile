FROM alpine
RUN <<A <<B
echo from A
A
echo from B
B
