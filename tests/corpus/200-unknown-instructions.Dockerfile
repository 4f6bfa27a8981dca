FROM alpine
FOO bar baz
COPYY a b
RUN2 echo
INCLUDE other.Dockerfile
x
