FROM alpine
ONBUILD	RUN	echo tabs
ONBUILD  	 COPY  a   b
