"""The Bahasa Indonesia vocabulary of :mod:`posegen.posekit.text_to_pose`: how sellers describe a
pose ("berdiri dengan tangan di pinggang", "nyender di tembok", "pegang botol dekat wajah") turned
into the English phrases the parser's rules read, before any rule runs. Because the preview and
``POST /generate`` both go through ``text_to_pose``, whatever one understands the other does too.

Django-free. Applied in order on whole words, so longer and more specific phrases come first
("menoleh ke belakang" before "menoleh", "tangan di dagu" before "tangan").
"""

from __future__ import annotations

_LOOK = r"(?:melihat|lihat|liat|memandang|pandang|menatap|tatap)"
_WALL = r"(?:dinding|tembok)"
_FACE = r"(?:wajah|muka|pipi)"
_HOLD = r"(?:memegang|pegang|megang|membawa|bawa|menenteng|tenteng|menggenggam|genggam)"

INDONESIAN_PHRASES: tuple[tuple[str, str], ...] = (
    (r"duduk (?:di|pada) (?:kursi|bangku|sofa|dingklik)", "sitting on a chair"),
    (r"duduk (?:di|pada) (?:lantai|tanah|pasir|rumput)|duduk lesehan|lesehan", "sitting on the floor"),
    (r"duduk bersila|bersila", "sitting cross legged"),
    (r"berdiri menyamping", "standing, side view"),
    (r"menyamping|tampak samping|dari samping", "side view"),
    (r"berdiri", "standing"),
    (r"duduk", "sitting"),
    (r"(?:berjalan|jalan) (?:di )?catwalk|catwalk", "runway walk"),
    (r"berjalan|jalan(?: jalan)?", "walking"),
    (r"berlari|lari", "running"),
    (r"melompat|lompat|loncat|meloncat", "jumping"),
    (r"berlutut dengan satu lutut|berlutut satu kaki", "kneeling on one knee"),
    (r"berlutut", "kneeling"),
    (r"berjongkok|jongkok", "crouching"),
    (r"berbaring telentang|telentang", "lying on the back"),
    (r"berbaring tengkurap|tengkurap", "lying on the stomach"),
    (r"berbaring miring", "lying on the side"),
    (r"berbaring|tiduran|rebahan", "lying"),
    (rf"(?:bersandar|menyandar|sandaran|nyender|senderan|menyender) (?:(?:di|ke|pada) )?{_WALL}",
     "leaning against a wall"),
    (r"berkacak pinggang|kacak pinggang|(?:ber)?tolak pinggang", "hands on hips"),
    (r"bersedekap|melipat tangan|lipat tangan|tangan (?:di)?lipat|(?:menyilangkan|menyilang) tangan|"
     r"tangan (?:di)?silangkan", "arms crossed"),
    (r"(?:mengangkat|angkat) (?:kedua )?tangan|tangan (?:di)?angkat|tangan ke atas", "arms raised"),
    (r"melambai(?:kan tangan)?|dadah", "waving"),
    (r"menunjuk|nunjuk|tunjuk", "pointing"),
    (rf"{_HOLD} (?:botol|produk|barang|kemasan) (?:di )?(?:dekat|samping|sebelah) {_FACE}",
     "holding a bottle beside face"),
    (rf"{_HOLD}", "holding"),
    (r"produk|barang|kemasan|tas", "product"),
    (r"botol", "bottle"),
    (r"ponsel|handphone|hape|hp", "phone"),
    (r"cangkir|gelas|kopi", "cup"),
    (r"acungan jempol|acung jempol|jempol", "thumbs up"),
    (r"swafoto|selfie cermin|foto cermin|ngaca", "selfie"),
    (r"(?:menyilangkan|menyilang) kaki|kaki (?:di)?silang(?:kan)?|kaki bersilang", "legs crossed"),
    (r"kaki (?:terbuka|lebar)", "wide stance"),
    (r"tangan di dagu|(?:ber)?topang dagu", "hand on chin"),
    (r"tangan di rambut", "hand in hair"),
    (r"tangan di dada", "hand on heart"),
    (r"kedua tangan", "both hands"),
    (r"tangan kanan", "right hand"),
    (r"tangan kiri", "left hand"),
    (r"tangan", "hands"),
    (r"di pinggang", "on hips"),
    (r"di dagu", "on chin"),
    (r"di dada", "at chest height"),
    (r"di (?:saku|kantong|kantung)", "in pockets"),
    (r"di belakang kepala", "behind head"),
    (r"di rambut", "in hair"),
    (r"di lutut", "on knees"),
    (rf"(?:di )?(?:samping|sebelah|dekat) {_FACE}", "beside face"),
    (r"menunduk|nunduk", "looking down"),
    (rf"{_LOOK} ke atas|menengadah|tengadah", "looking up"),
    (rf"{_LOOK} ke bawah", "looking down"),
    (rf"(?:menoleh|noleh|menengok|nengok|{_LOOK}) ke belakang", "looking over the shoulder"),
    (r"(?:menoleh|noleh|menengok|nengok) ke kanan", "looking right"),
    (r"(?:menoleh|noleh|menengok|nengok)(?: ke kiri)?", "looking left"),
    (_LOOK, "looking"),
    (r"ke kamera", "at the camera"),
    (r"ke atas", "up"),
    (r"ke bawah", "down"),
    (r"tampak depan|dari depan", "front view"),
    (r"tampak belakang|dari belakang", "back view"),
    (r"tiga perempat", "3/4"),
    (r"satu lutut", "one knee"),
    (r"ke kanan|kanan", "right"),
    (r"ke kiri|kiri", "left"),
    (r"dengan|sambil", "with"),
    (r"dan", "and"),
)

# What the refusal suggests to a reader of Bahasa Indonesia: each is understood by the parser.
EXAMPLE_PHRASES_ID: tuple[str, ...] = (
    "berdiri dengan tangan di pinggang",
    "duduk di kursi, kaki disilangkan, tangan di dagu",
    "pegang produk di dada",
    "jalan sambil menoleh ke belakang",
    "berlutut, tangan di dada",
    "melompat, angkat tangan",
    "berdiri, bersedekap, tampak samping",
)
