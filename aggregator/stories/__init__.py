"""Stories: members grouped by shared URLs, `related` entries and headlines, each story
given its primary member and a lasting id. Pure: articles in, stories out."""
