FROM alpine
CMD ['echo', 'hi']
ENTRYPOINT ['a']
