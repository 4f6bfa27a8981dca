FROM alpine
RUN	echo a \
	# tab comment
		&& echo b \	

	&& echo c
