FROM alpine
ENV "A B"=c
ENV A='b\'c'
ENV A=b"c d"e
