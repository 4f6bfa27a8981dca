FROM alpine
ENV	A	b
ENV B		c d
