package Leaderboard;

use strict;
use warnings;

our $VERSION = '0.3.0';

# "name score" lines to [name, score] pairs, best score first, ties by name.
sub rank {
    my (@lines) = @_;
    my @entries;
    for my $line (@lines) {
        next if $line =~ /^\s*(?:#|$)/;
        my ($name, $score) = $line =~ /^\s*(\S+)\s+(-?\d+)\s*$/
            or die "not a 'name score' line: $line\n";
        push @entries, [ $name, $score ];
    }
    return sort { $b->[1] cmp $a->[1] or $a->[0] cmp $b->[0] } @entries;
}

# The first $n of rank(@lines), or all of them when there are fewer.
sub top {
    my ($n, @lines) = @_;
    my @ranked = rank(@lines);
    return @ranked > $n ? @ranked[ 0 .. $n - 1 ] : @ranked;
}

1;
