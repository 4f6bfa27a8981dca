FROM alpine
RUN <<-EOF
	echo chomped
	EOF
