FROM alpine
COPY	--from=alpine	/etc/hosts	/x
RUN	--network=none	echo	ok
