FROM alpine
COPY <<one.txt <<two.txt /dst/
content one
one.txt
content two
two.txt
