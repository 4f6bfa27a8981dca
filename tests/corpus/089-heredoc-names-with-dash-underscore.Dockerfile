FROM alpine
RUN <<END_OF_SCRIPT
echo a
END_OF_SCRIPT
RUN <<-END-X
	echo b
END-X
