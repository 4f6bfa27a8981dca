# leading comment

FROM alpine:3.19   
  # indented comment
	# tab-indented comment


RUN echo hello # not a comment, part of the command
# comment ending in a backslash \
RUN echo world
#
##
#!not a shebang here
