FROM alpine
ONBUILD FOO bar baz
