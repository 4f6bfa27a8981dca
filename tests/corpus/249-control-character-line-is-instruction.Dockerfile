FROM alpine

 echo
