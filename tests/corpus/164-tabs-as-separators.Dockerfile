FROM	alpine	AS	base
RUN	echo	tabs
ENV	A	b
EXPOSE	80	443
LABEL	a=b	c=d
