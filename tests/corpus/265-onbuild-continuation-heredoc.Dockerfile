FROM alpine
ONBUILD RUN --network=none \
    <<EOF
echo triggered
EOF
ONBUILD COPY <<-A <<B /dst/
	a
	A
b
B
