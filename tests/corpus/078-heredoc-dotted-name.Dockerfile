FROM alpine
COPY <<file.txt /dest
hello
file.txt
