FROM alpine
RUN <<-'EOF'
	echo $A
	EOF
COPY <<-"END" /x
	$B
		END
