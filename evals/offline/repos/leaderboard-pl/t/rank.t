use strict;
use warnings;
use Test::More;
use Leaderboard;

my @night = ('ann 42', 'bo 17', '# late arrivals', 'cy 35', '', 'di 42');

is_deeply(
    [ Leaderboard::rank(@night) ],
    [ [ 'ann', 42 ], [ 'di', 42 ], [ 'cy', 35 ], [ 'bo', 17 ] ],
    'best first, ties by name, comments and blank lines skipped'
);

is_deeply([ Leaderboard::top(2, @night) ], [ [ 'ann', 42 ], [ 'di', 42 ] ], 'top 2');
is(scalar(Leaderboard::top(10, @night)), 4, 'top 10 of four is all four');

eval { Leaderboard::rank('ann forty') };
like($@, qr/not a 'name score' line: ann forty/, 'a bad line is an error that names it');

done_testing();
