"""Sector lexicon: domain knowledge, written as data, that generalizes beyond the training corpus.

The TF-IDF model learns a weight for every word it has seen, but real headlines name hundreds of companies,
products and terms that the ~4,000 training headlines happen not to contain ("Montage Technology", "aiBank",
"Zerodha", "Qiankun", "OSAT"). A word the model has never seen carries no weight at all, so such a headline
is classified from its remaining, often generic, words.

`LEXICON` maps names and terms that unambiguously signal one sector to that sector. Each match in a
headline adds one concept token for its sector (see `concepts`), so the model learns a single weight per
sector ("this headline mentions a chips entity") from the many lexicon terms the corpus does contain, and
applies it to the terms that are rare or absent in training.

What belongs here: names and terms whose headlines are, in this domain, nearly always about that sector.
What does not: conglomerates and platforms that mostly headline "other" stories (Xiaomi, Huawei, Alibaba,
Tencent, Baidu, ByteDance, Samsung, Sony, Google, Amazon as a whole...), food delivery and ride-hailing,
phones, AI models, cloud and games, and generic words (bank, loan, car, market, price, retail, delivery).

Terms are written as a headline tokenizes: lowercase, words split on spaces and punctuation, 1 to
`MAX_TERM_WORDS` words ("e-CNY" -> "e cny", "JD.com" -> "jd com", "Singles' Day" -> "singles day"). Common
plural forms are listed too, so the lexicon works on unstemmed tokens as well as on stemmed ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_TERM_WORDS = 3

LEXICON: dict[str, frozenset[str]] = {
    "ev": frozenset({
        # companies: EV makers and their brands (China)
        "byd", "build your dreams", "denza", "yangwang", "fangchengbao", "nio", "nio inc", "weilai", "onvo",
        "xpeng", "xiaopeng", "xpev", "li auto", "lixiang", "zeekr", "lynk co", "polestar", "leapmotor", "aito",
        "seres", "avatr", "deepal", "voyah", "lantu", "luxeed", "stelato", "maextro", "hima",
        "harmony intelligent mobility", "neta", "hozon", "jiyue", "jidu", "hycan", "aion", "gac aion", "hyptec",
        "im motors", "zhiji", "rising auto", "aiways", "byton", "wm motor", "weltmeister", "evergrande auto",
        "evergrande nev", "hengchi", "geely galaxy", "lotus technology", "lotus tech", "xiaomi ev", "xiaomi auto",
        "nio power", "he xiaopeng", "wang chuanfu", "li xiang", "william li", "zhidou", "leap motor",
        # companies: EV makers elsewhere (Asia, US, Europe)
        "tesla", "vinfast", "rivian", "lucid motors", "lucid group", "fisker", "nikola", "canoo", "faraday future",
        "ola electric", "ather", "ather energy", "gogoro", "niu technologies", "yadea", "tailg", "ioniq",
        "tesla china", "tesla shanghai", "gigafactory", "gigafactories", "giga shanghai", "giga berlin",
        # companies: batteries, battery materials for cars, charging
        "catl", "contemporary amperex", "ningde times", "robin zeng", "zeng yuqun", "gotion", "guoxuan", "calb",
        "svolt", "eve energy", "sunwoda", "farasis", "envision aesc", "aesc", "lg energy solution", "lg energy",
        "lges", "samsung sdi", "sk on", "panasonic energy", "northvolt", "greater bay technology", "cornex",
        "rept battero", "qingtao", "welion", "ronbay", "easpring", "cngr", "brunp", "teld", "star charge",
        "chargepoint", "electrify america", "ionna", "battery maker", "battery makers", "battery giant",
        # companies: autonomous driving, robotaxis, lidar, smart-car systems
        "pony ai", "weride", "momenta", "deeproute", "deeproute ai", "apollo go", "luobo kuaipao", "waymo",
        "zoox", "motional", "aurora innovation", "tusimple", "inceptio", "plus ai", "kargobot", "autox", "qcraft",
        "uisee", "haomo", "neolix", "zelos", "zelostech", "dji automotive", "zhuoyu", "mobileye", "wayve", "nuro",
        "hesai", "robosense", "seyond", "innovusion", "luminar", "innoviz", "ouster", "livox", "desay sv",
        "ecarx", "banma", "pateo", "minieye", "imotion", "freetech",
        # products: models, platforms, driving systems, battery brands
        "su7", "yu7", "et5", "et7", "et9", "es6", "es8", "ec6", "ec7", "el6", "el8", "l60", "l90", "p7", "p7i",
        "g6", "g9", "l6", "l7", "l8", "l9", "model y", "model 3", "cybertruck", "cybercab", "robovan",
        "atto 3", "sealion", "bz3", "bz4x", "id 3", "id 4", "id 7", "dm i", "qiankun", "ads 3 0", "xpilot",
        "xngp", "dipilot", "god s eye", "gods eye", "autopilot", "fsd", "full self driving", "blade battery",
        "shenxing", "qilin battery", "4680", "800v", "800 volt", "super e platform",
        # terms: vehicles and powertrains
        "ev", "evs", "bev", "bevs", "phev", "phevs", "erev", "erevs", "nev", "nevs", "new energy vehicle",
        "new energy vehicles", "new energy car", "new energy cars", "electric vehicle", "electric vehicles",
        "electric car", "electric cars", "electric suv", "electric suvs", "electric sedan", "electric truck",
        "electric trucks", "electric bus", "electric buses", "electric scooter", "electric scooters",
        "electric motorcycle", "electric motorcycles", "electric two wheeler", "electric two wheelers",
        "e scooter", "e scooters", "plug in hybrid", "plug in hybrids", "range extender", "range extenders",
        "range extended", "extended range", "electrification", "ev maker", "ev makers", "evmaker", "evmakers",
        "ev startup", "ev startups", "electric carmaker", "electric carmakers", "electric automaker",
        # terms: autonomous and assisted driving, smart cars
        "robotaxi", "robotaxis", "robo taxi", "robo taxis", "robotaxi fleet", "driverless", "self driving",
        "autonomous driving", "autonomous vehicle", "autonomous vehicles", "autonomous truck", "autonomous trucks",
        "self driving truck", "self driving trucks", "driver assistance", "driver assist", "adas", "noa",
        "city noa", "navigate on autopilot", "intelligent driving", "smart driving", "assisted driving",
        "level 3", "level 4", "l2", "l3", "l4", "smart cockpit", "smart cockpits", "intelligent cockpit",
        "smart car", "smart cars", "intelligent vehicle", "intelligent vehicles", "connected car",
        "connected cars", "software defined vehicle", "software defined vehicles", "lidar", "lidars",
        # terms: batteries and charging
        "battery", "batteries", "ev battery", "ev batteries", "power battery", "power batteries",
        "lithium battery", "lithium batteries", "solid state battery",
        "solid state batteries", "semi solid state", "sodium ion", "lfp",
        "lithium iron phosphate", "ncm", "nmc", "cathode", "cathodes", "anode", "anodes", "battery cell",
        "battery cells", "battery swap", "battery swaps", "battery swapping", "swap station", "swap stations",
        "charging station", "charging stations", "charging pile", "charging piles", "charging network",
        "charging networks", "charging point", "charging points", "charging infrastructure", "ev charger",
        "ev chargers", "ev charging", "supercharger", "superchargers", "supercharging", "megawatt charging",
        "v2g", "vehicle to grid",
    }),
    "fintech": frozenset({
        # companies: payments and wallets (China)
        "alipay", "alipay plus", "alipay hk", "alipayhk", "ant group", "ant financial", "ant international",
        "ant bank", "huabei", "jiebei", "yu e bao", "yuebao", "sesame credit", "zhima credit", "wechat pay",
        "weixin pay", "tenpay", "licaitong", "qq wallet", "unionpay", "union pay", "china unionpay", "cips",
        "lakala", "yeepay", "huifu", "allinpay", "lianlian", "lianlian digital", "lianlianpay", "pingpong",
        "xtransfer", "worldfirst", "jd finance", "jd pay", "du xiaoman", "duxiaoman", "huawei pay",
        "apple pay", "google pay", "samsung pay", "amazon pay", "douyin pay", "coupang pay",
        # companies: digital banks, online lenders, insurtech, wealth (China)
        "webank", "mybank", "xw bank", "xinwang bank", "aibank", "baixin bank", "zhongan", "zhong an", "lufax",
        "qifu", "qfin", "360 digitech", "360 finance", "lexin", "finvolution", "ppdai", "jiayin", "yiren digital",
        "yirendai", "x financial", "qudian", "9f group", "hexindai", "dianrong", "weidai", "pintec", "oneconnect",
        "waterdrop", "huize",
        # companies: Hong Kong, Taiwan, Korea, Japan
        "za bank", "airstar", "airstar bank", "welab", "welab bank", "mox bank", "livi bank", "fusion bank",
        "pao bank", "octopus card", "payme", "tap go", "futu", "moomoo", "tiger brokers", "up fintech",
        "longbridge", "line bank", "rakuten pay", "rakuten bank", "paypay", "paypay bank", "line pay", "paidy",
        "merpay", "monex", "kakaopay", "kakao pay", "kakaobank", "kakao bank", "toss bank", "viva republica",
        "naver pay", "naver financial",
        # companies: India
        "paytm", "phonepe", "upi", "npci", "bhim", "rupay", "mobikwik", "bharatpe", "razorpay", "pine labs",
        "cashfree", "juspay", "zerodha", "groww", "upstox", "angel one", "policybazaar", "pb fintech",
        "paisabazaar", "lendingkart", "kreditbee", "moneyview", "navi finserv", "one97", "one 97",
        # companies: Southeast Asia
        "gcash", "mynt", "paymaya", "maya bank", "gotyme", "tonik", "coins ph", "grabpay", "grab pay", "ovo",
        "gopay", "shopeepay", "spaylater", "linkaja", "doku", "xendit", "akulaku", "kredivo", "atome",
        "advance intelligence", "bank jago", "seabank", "sea money", "monee", "touch n go", "tng digital",
        "bigpay", "gxs", "gxs bank", "maribank", "trust bank", "anext bank", "green link digital",
        "truemoney", "rabbit line pay", "promptpay", "zalopay", "vnpay", "viettel money", "2c2p", "nium",
        "thunes", "airwallex", "funding societies", "validus",
        # companies: global payments, neobanks, brokers
        "paypal", "stripe", "adyen", "klarna", "afterpay", "payoneer", "revolut", "nubank", "monzo", "sofi",
        "mastercard", "wise plc", "webull", "robinhood", "ripple labs",
        # companies: crypto exchanges, issuers and people
        "binance", "okx", "okex", "huobi", "htx", "hashkey", "hashkey group", "hashkey exchange", "osl",
        "matrixport", "amber group", "bybit", "kucoin", "gate io", "bitget", "bitmex", "deribit", "coinbase",
        "kraken", "ftx", "upbit", "dunamu", "bithumb", "coinone", "coincheck", "bitflyer", "indodax", "coindcx",
        "coinswitch", "wazirx", "tokocrypto", "zipmex", "bitkub", "coinhako", "jpex", "tether", "usdt", "usdc",
        "circle internet", "terraform labs", "microstrategy", "metaplanet", "animoca brands", "justin sun",
        "changpeng zhao", "sam bankman fried", "bankman fried", "do kwon",
        # products: coins, CBDCs
        "bitcoin", "bitcoins", "btc", "ethereum", "ether", "solana", "xrp", "dogecoin", "bnb",
        "e cny", "ecny", "e yuan", "digital yuan", "digital renminbi", "digital rmb", "e hkd", "e rupee",
        "digital rupee", "mbridge", "project mbridge", "cbdc", "cbdcs",
        "central bank digital",
        # terms: payments
        "payment", "payments", "mobile payment", "mobile payments", "digital payment", "digital payments",
        "e payment", "e payments", "payment app", "payment apps", "payments app", "payment license",
        "payment licence", "payment licenses", "payments license", "payment processor", "payment processors",
        "payment gateway", "paytech", "e wallet", "e wallets", "ewallet", "ewallets", "wallet", "wallets",
        "digital wallet", "digital wallets", "mobile wallet", "mobile wallets", "qr payment", "qr payments",
        "qr code payment", "qr code payments", "contactless", "cross border payment", "cross border payments",
        "remittance", "remittances", "money transfer", "money transfers", "card scheme",
        # terms: digital banking, lending, insurance, wealth
        "fintech", "fintechs", "fin tech", "insurtech", "insurtechs", "wealthtech", "regtech", "neobank",
        "neobanks", "virtual bank", "virtual banks", "virtual banking", "digital bank", "digital banks",
        "digital banking", "online bank", "online banks", "internet bank", "internet banks", "app only bank",
        "open banking", "online lending", "online lender", "online lenders", "microlender", "microlenders",
        "micro lender", "micro lenders", "microloan", "microloans", "micro loan", "micro loans", "p2p",
        "p2p lending", "p2p lender", "p2p lenders", "peer to peer", "bnpl",
        "pay later", "credit scoring", "credit score", "credit scores", "robo advisor", "robo advisers",
        "robo advisors", "robo adviser", "online brokerage", "online broker", "online brokers",
        "brokerage app", "trading app", "digital insurance", "online insurance", "online insurer",
        # terms: crypto and blockchain finance
        "crypto", "cryptos", "cryptocurrency", "cryptocurrencies", "crypto asset", "crypto assets",
        "virtual asset", "virtual assets", "digital asset", "digital assets", "digital currency",
        "digital currencies", "stablecoin", "stablecoins", "stable coin", "stable coins", "altcoin", "altcoins",
        "memecoin", "memecoins", "blockchain", "blockchains", "defi", "decentralized finance", "web3", "nft",
        "nfts", "tokenization", "tokenisation", "tokenized", "tokenised", "real world asset", "real world assets",
        "rwa", "vasp", "vasps", "exchange hack", "crypto exchange", "bitcoin etf", "spot bitcoin",
        "bitcoin mining", "bitcoin miner", "bitcoin miners", "crypto mining",
    }),
    "chips": frozenset({
        # companies: Chinese foundries, memory makers, packaging
        "smic", "semiconductor manufacturing international", "hua hong", "huahong", "hua hong semiconductor",
        "ymtc", "yangtze memory", "cxmt", "changxin memory", "changxin", "nexchip", "hlmc", "huali", "xmc",
        "wuhan xinxin", "jhicc", "fujian jinhua", "cr micro", "china resources microelectronics",
        "tsinghua unigroup", "unigroup", "ziguang", "unisoc", "spreadtrum", "jcet", "tongfu",
        "tongfu microelectronics", "huatian", "sicc", "tankeblue", "nsig",
        "zing semiconductor", "eswin", "sai microelectronics", "grace semiconductor",
        "big fund", "national ic fund",
        # companies: Chinese chip designers and AI chips
        "hisilicon", "cambricon", "hygon", "loongson", "zhaoxin", "phytium", "biren", "moore threads", "metax",
        "enflame", "iluvatar", "iluvatar corex", "kunlunxin", "t head", "pingtouge", "gigadevice",
        "will semiconductor", "will semi", "omnivision", "sg micro", "maxscend", "starpower", "silan", "sanan",
        "sanan optoelectronics", "nexperia", "montage technology", "goodix", "allwinner", "rockchip", "ingenic",
        "bestechnic", "espressif", "black sesame", "siengine", "autochips", "novosense",
        "3peak", "awinic", "chipone", "fullhan", "amlogic", "innoscience", "hwatsing", "sophgo",
        # companies: Chinese chip equipment, materials, EDA
        "naura", "amec", "advanced micro fabrication", "piotech", "acm research", "kingsemi", "sicarrier",
        "si carrier", "skyverse", "smee", "shanghai micro electronics", "empyrean", "primarius", "semitronix",
        # companies: Taiwan
        "tsmc", "taiwan semiconductor", "umc", "united microelectronics", "vanguard international",
        "psmc", "powerchip", "winbond", "nanya", "macronix", "mediatek", "realtek", "novatek", "himax",
        "nuvoton", "alchip", "global unichip", "gudeng", "ase", "ase technology", "ase group", "spil", "kyec",
        "king yuan", "globalwafers", "phison", "silicon motion",
        # companies: Korea and Japan
        "sk hynix", "hynix", "samsung foundry", "samsung semiconductor", "samsung chip", "samsung chips",
        "kioxia", "rapidus", "renesas", "rohm", "tokyo electron", "advantest", "lasertec", "screen holdings",
        "disco corp", "kokusai electric", "ulvac", "shin etsu", "sumco", "jsr", "resonac", "socionext",
        "rebellions", "furiosaai", "furiosa", "deepx", "sapeon", "hanmi semiconductor", "db hitek",
        # companies: US and Europe
        "nvidia", "intel", "amd", "advanced micro devices", "qualcomm", "broadcom", "marvell", "micron",
        "arm holdings", "arm china", "texas instruments", "analog devices", "microchip technology", "nxp",
        "infineon", "stmicroelectronics", "stmicro", "onsemi", "on semiconductor", "wolfspeed", "globalfoundries",
        "tower semiconductor", "sandisk", "western digital", "asml", "applied materials", "lam research", "kla",
        "entegris", "asm international", "asmpt", "besi", "aixtron", "teradyne", "synopsys", "cadence",
        "cadence design", "siemens eda", "cerebras", "groq", "graphcore", "tenstorrent", "sambanova", "sifive",
        "ambarella", "skyworks", "qorvo", "lattice semiconductor", "monolithic power", "amkor", "coherent corp",
        "jensen huang", "lisa su", "cc wei", "pat gelsinger", "lip bu tan",
        # products: processors, accelerators, memory parts, architectures
        "h20", "h800", "h100", "h200", "a100", "a800", "b200", "b300", "b30a", "gb200", "gb300",
        "blackwell", "hopper", "rtx", "geforce", "jetson", "drive thor", "drive orin", "orin", "cuda", "nvlink",
        "ascend", "910b", "910c", "kirin", "kirin 9000s", "kunpeng", "snapdragon", "dimensity", "exynos", "xeon",
        "epyc", "ryzen", "mi300", "mi300x", "mi308", "mi350", "gaudi", "loongarch", "3a6000", "mlu", "hanguang",
        "yitian", "xuantie", "journey 5", "journey 6", "dojo", "risc v", "riscv", "x86", "hbm", "hbm2e", "hbm3",
        "hbm3e", "hbm4", "dram", "drams", "nand", "3d nand", "nand flash", "ddr4", "ddr5", "lpddr5", "lpddr5x",
        "gddr7", "cowos", "soic", "intel 18a", "18a", "20a",
        # terms: process nodes
        "2nm", "3nm", "4nm", "5nm", "7nm", "10nm", "12nm", "14nm", "16nm", "22nm", "28nm", "40nm", "1 4nm",
        "1 6nm", "mature node", "mature nodes", "advanced node", "advanced nodes", "legacy chip", "legacy chips",
        # terms: chips and their makers
        "semiconductor", "semiconductors", "chip", "chips", "chipmaker", "chipmakers", "chip maker",
        "chip makers", "chipmaking", "chip making", "chipset", "chipsets", "microchip", "microchips",
        "chip designer", "chip designers", "chip design", "chip war", "chip wars", "chips act", "gpu", "gpus",
        "gpgpu", "cpu", "cpus", "npu", "npus", "tpu", "tpus", "asic", "asics", "fpga", "fpgas", "mcu", "mcus",
        "microcontroller", "microcontrollers", "ai accelerator", "ai accelerators",
        "memory chip", "memory chips", "memory maker", "memory makers", "flash memory", "integrated circuit",
        "integrated circuits", "ic design", "transistor", "transistors", "moore s law",
        # terms: manufacturing, tools, materials
        "foundry", "foundries", "fab", "fabs", "wafer", "wafers", "wafer fab", "lithography", "euv", "duv",
        "high na", "photoresist", "photoresists", "photomask", "photomasks", "etching", "etcher", "etchers",
        "ion implanter", "wafer fab equipment", "osat", "chiplet", "chiplets", "advanced packaging",
        "chip packaging", "hybrid bonding", "tape out", "tapeout", "taped out", "eda", "silicon carbide", "sic",
        "gallium nitride", "gallium", "germanium", "power semiconductor", "power semiconductors", "igbt", "igbts",
        "mosfet", "mosfets", "analog chip", "analog chips", "polysilicon wafer", "silicon wafer", "silicon wafers",
    }),
    "ecommerce": frozenset({
        # companies: Chinese marketplaces and online retailers
        "taobao", "tmall", "tmall global", "taobao live", "taotian", "alibaba com", "aliexpress", "1688",
        "xianyu", "idle fish", "idlefish", "jd com", "jingdong", "jd retail", "jd mall", "jd logistics",
        "richard liu", "liu qiangdong", "pinduoduo", "pdd", "pdd holdings", "colin huang", "temu", "duoduo maicai",
        "shein", "tiktok shop", "vipshop", "vip com", "dewu", "poizon", "suning com", "dangdang", "yunji",
        "mogujie", "secoo", "youzan", "weimob", "baozun", "dhgate", "lightinthebox", "miravia", "daraz",
        "trendyol", "douyin e commerce", "douyin mall", "juhuasuan", "taote", "tao te", "lazmall", "shopee mall",
        "shopee live", "jd express", "jd supermarket", "tmall supermarket", "dada nexus", "jd daojia", "taocaicai",
        "meicai", "jollychic", "club factory", "clubfactory", "wish com", "contextlogic", "joom", "fordeal",
        "halara", "romwe", "zaful", "cupshe", "yesstyle", "shopline", "shoplazza", "kuaidi100",
        # companies: online grocery, instant retail, community group buying
        "hema", "freshippo", "dingdong", "dingdong maicai", "missfresh", "dmall", "xingsheng youxuan", "nice tuan",
        "pupu", "blinkit", "zepto", "instamart", "bigbasket", "jiomart", "kurly", "market kurly",
        # companies: Asian, US and European marketplaces
        "shopee", "lazada", "tokopedia", "bukalapak", "blibli", "tiki", "sendo", "zalora", "carousell", "flipkart",
        "meesho", "myntra", "nykaa", "snapdeal", "ajio", "firstcry", "purplle", "coupang", "gmarket", "11st",
        "11street", "musinsa", "tmon", "wemakeprice", "qoo10", "ssg com", "mercari", "zozo", "zozotown",
        "rakuten ichiba", "yahoo shopping", "ebay", "etsy", "shopify", "mercadolibre", "mercado libre", "ozon",
        "wildberries", "allegro", "zalando", "jumia", "amazon prime day", "amazon seller", "amazon sellers",
        "amazon marketplace", "amazon retail", "amazon haul", "farfetch", "asos", "boohoo", "wayfair", "chewy",
        "poshmark", "depop", "vinted", "noon com", "namshi", "takealot", "konga", "linio", "bol com", "cdiscount",
        "bigcommerce", "woocommerce", "vtex", "lotte on", "lotteon", "interpark", "rakuma", "yahoo auctions",
        "askul", "lohaco", "tata cliq", "shopsy", "udaan", "indiamart", "dunzo", "citymall", "dealshare", "ondc",
        # companies: parcel and e-commerce logistics
        "cainiao", "zto", "zto express", "yto", "yto express", "sto express", "shentong", "yunda", "j t express",
        "j t global", "jt express", "jitu", "best express", "sf express", "ninja van", "kerry express",
        "flash express", "jne", "spx express", "delhivery", "ecom express", "xpressbees", "shiprocket",
        "yunda express", "best inc", "hive box", "hivebox", "fengchao", "rocket delivery",
        # companies: live-streaming sellers
        "li jiaqi", "austin li", "viya", "dong yuhui", "east buy", "xinba", "simba xinba",
        # terms: online retail
        "e commerce", "ecommerce", "e commerce platform", "e tailer", "etailer", "e retailer", "e retailers",
        "online retailer", "online retailers", "online retail", "online retailing", "online shopping",
        "online shopper", "online shoppers", "online sales", "online mall", "online store", "online stores",
        "online shop", "online shops", "shopping app", "shopping apps", "shopping platform", "shopping platforms",
        "marketplace", "marketplaces", "online marketplace", "e marketplace",
        "cross border ecommerce", "dropshipping", "refund only", "gmv", "etailers", "etail", "online commerce",
        "internet retailer", "internet retailers", "shopping site", "shopping sites", "shopping website",
        "shopping websites", "shopping cart", "online order", "online orders", "online seller", "online sellers",
        "online merchant", "online merchants", "third party seller", "third party sellers", "cross border seller",
        "cross border sellers", "haitao", "daigou", "overseas warehouse", "overseas warehouses",
        "fulfillment center", "fulfillment centers", "fulfilment centre", "fulfilment centres",
        "fulfillment centre", "fulfilment center", "free shipping", "flash sale", "flash sales", "presale",
        "presales", "pre sale", "pre sales", "next day delivery", "parcel locker", "parcel lockers",
        # terms: live-streaming sales and social commerce
        "livestream shopping", "livestream sales", "livestream selling", "livestream e commerce",
        "livestreaming e commerce", "livestreaming sales", "live streaming sales",
        "live commerce", "live shopping", "livestreamer", "livestreamers", "live streamer", "live streamers",
        "livestream host", "livestream hosts", "social commerce", "quick commerce", "q commerce",
        "instant retail", "community group buying", "group buying", "online grocery", "grocery e commerce",
        "group buy", "group buys", "live stream shopping", "livestreaming shopping", "live stream sales",
        "shoppable video", "video shopping", "video commerce", "content commerce",
        # terms: shopping festivals
        "singles day", "double 11", "double eleven", "11 11", "618", "6 18", "double 12", "prime day",
        "black friday", "cyber monday", "shopping festival", "shopping festivals", "12 12", "big billion days",
        "great indian festival", "big deal days", "harbolnas", "super brand day",
        # terms: parcels and cross-border rules
        "de minimis", "small parcel", "small parcels", "low value parcels", "low value imports",
        "low value import", "low value goods", "low value shipments", "parcel delivery", "parcel deliveries",
        "parcel volume", "parcel volumes", "express parcel", "express parcels", "express delivery",
        "courier", "couriers", "courier firm", "courier firms",
    }),
}

_PIECES = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def _split(term: str) -> str:
    """A term as the headline tokenizer splits it: digits apart from letters ("su7" -> "su 7")."""
    return " ".join(_PIECES.findall(term))


_SECTOR_OF: dict[str, str] = {_split(term): sector for sector, terms in LEXICON.items() for term in terms}
_STARTS: frozenset[str] = frozenset(term.split(" ", 1)[0] for term in _SECTOR_OF if " " in term)


def concepts(tokens: Sequence[str]) -> list[str]:
    """The sector of every lexicon term in ``tokens``, one entry per match, e.g. ``["chips", "chips", "ev"]``.

    Tokens are scanned left to right; at each position the longest term (up to `MAX_TERM_WORDS` words)
    wins and its words are consumed, so "contemporary amperex" counts once and "rakuten pay" does not
    also count as a shorter term inside it. Longer terms are only tried at words that start one.
    """
    if _STARTS.isdisjoint(tokens):  # the common case: no word starts a longer term, so one word at a time
        return [sector for sector in map(_SECTOR_OF.get, tokens) if sector is not None]
    found: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        size = 1
        if tokens[i] in _STARTS:
            for size in range(min(MAX_TERM_WORDS, n - i), 0, -1):
                if (sector := _SECTOR_OF.get(" ".join(tokens[i : i + size]))) is not None:
                    break
        else:
            sector = _SECTOR_OF.get(tokens[i])
        if sector is not None:
            found.append(sector)
        i += size if sector is not None else 1
    return found


TERM_WORDS: dict[str, frozenset[str]] = {
    sector: frozenset(word for term in terms for word in _split(term).split()) for sector, terms in LEXICON.items()
}
"""Every word that is part of a term, per sector: explanations point a concept feature back at these words."""


from classifier.lexicon_zh import BLOCKED, LEXICON_ZH  # noqa: E402 - the Chinese names, kept apart
from classifier.script import to_simplified  # noqa: E402

_SECTOR_OF_ZH: dict[str, str] = {}
for _sector, _terms in LEXICON_ZH.items():
    for _term in _terms:
        _SECTOR_OF_ZH.setdefault(to_simplified(_term), _sector)
_BLOCKED_ZH = frozenset(to_simplified(word) for word in BLOCKED)
_LONGEST_ZH = max(map(len, (*_SECTOR_OF_ZH, *_BLOCKED_ZH)))
_FIRST_ZH = frozenset(term[0] for term in (*_SECTOR_OF_ZH, *_BLOCKED_ZH))


def concepts_zh(text: str) -> list[str]:
    """The sector of every Chinese lexicon term in a stretch of Chinese text (digits included, for 双11),
    longest match first, left to right; a blocked word is read past as a whole."""
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in _FIRST_ZH:
            for size in range(min(_LONGEST_ZH, n - i), 1, -1):
                piece = text[i:i + size]
                if piece in _BLOCKED_ZH:
                    i += size
                    break
                sector = _SECTOR_OF_ZH.get(piece)
                if sector is not None:
                    found.append(sector)
                    i += size
                    break
            else:
                i += 1
        else:
            i += 1
    return found
