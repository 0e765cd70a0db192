package seed

// Constant lookup tables for the demo data: places, regions, name parts and
// topics. Everything here is read-only; Demo draws from it with a seeded PRNG.

// place is a city a group meets in, with its real coordinates and zone.
type place struct {
	Name    string // group display name, following the naming rule
	City    string
	Country string
	TZ      string
	Lat     float64
	Lon     float64
	Region  string // region key (OpenStack only)
	Status  string // group status (OpenStack only)
}

// openEulerCities are the twelve cities of openEuler's city user group plan.
var openEulerCities = []place{
	{Name: "Beijing", City: "Beijing", Country: "CN", TZ: "Asia/Shanghai", Lat: 39.9042, Lon: 116.4074},
	{Name: "Shanghai", City: "Shanghai", Country: "CN", TZ: "Asia/Shanghai", Lat: 31.2304, Lon: 121.4737},
	{Name: "Shenzhen", City: "Shenzhen", Country: "CN", TZ: "Asia/Shanghai", Lat: 22.5431, Lon: 114.0579},
	{Name: "Guangzhou", City: "Guangzhou", Country: "CN", TZ: "Asia/Shanghai", Lat: 23.1291, Lon: 113.2644},
	{Name: "Hangzhou", City: "Hangzhou", Country: "CN", TZ: "Asia/Shanghai", Lat: 30.2741, Lon: 120.1551},
	{Name: "Changsha", City: "Changsha", Country: "CN", TZ: "Asia/Shanghai", Lat: 28.2282, Lon: 112.9388},
	{Name: "Nanjing", City: "Nanjing", Country: "CN", TZ: "Asia/Shanghai", Lat: 32.0603, Lon: 118.7969},
	{Name: "Wuhan", City: "Wuhan", Country: "CN", TZ: "Asia/Shanghai", Lat: 30.5928, Lon: 114.3055},
	{Name: "Chengdu", City: "Chengdu", Country: "CN", TZ: "Asia/Shanghai", Lat: 30.5728, Lon: 104.0668},
	{Name: "Lanzhou", City: "Lanzhou", Country: "CN", TZ: "Asia/Shanghai", Lat: 36.0611, Lon: 103.8343},
	{Name: "Xi'an", City: "Xi'an", Country: "CN", TZ: "Asia/Shanghai", Lat: 34.3416, Lon: 108.9398},
	{Name: "Zhengzhou", City: "Zhengzhou", Country: "CN", TZ: "Asia/Shanghai", Lat: 34.7466, Lon: 113.6254},
}

// openEulerProposals are new city groups requested in openEuler's queue.
var openEulerProposals = []place{
	{Name: "Hefei", City: "Hefei", Country: "CN", TZ: "Asia/Shanghai", Lat: 31.8206, Lon: 117.2272},
	{Name: "Suzhou", City: "Suzhou", Country: "CN", TZ: "Asia/Shanghai", Lat: 31.2989, Lon: 120.5853},
	{Name: "Shenzhen {Nanshan}", City: "Shenzhen", Country: "CN", TZ: "Asia/Shanghai", Lat: 22.5329, Lon: 113.9305},
}

// regionSpec is one of OpenStack's ambassador regions.
type regionSpec struct {
	Key, Name   string
	Countries   []string
	Description string
	Ambassadors int
}

var openStackRegions = []regionSpec{
	{Key: "europe", Name: "Europe", Ambassadors: 3,
		Description: "Groups from the Atlantic coast to the Bosporus, plus the Nordics and the Baltics.",
		Countries: []string{"AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU",
			"IE", "IS", "IT", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "TR", "UA"}},
	{Key: "north-america", Name: "North America", Ambassadors: 2,
		Description: "Groups in the United States and Canada.",
		Countries:   []string{"US", "CA"}},
	{Key: "asia-pacific", Name: "Asia Pacific", Ambassadors: 3,
		Description: "East, South and Southeast Asia, Australia, New Zealand and the Pacific islands.",
		Countries: []string{"AU", "NZ", "JP", "KR", "CN", "IN", "SG", "ID", "MY", "TH", "VN", "PH", "TW", "HK",
			"BD", "PK", "LK", "NP", "FJ"}},
	{Key: "latin-america", Name: "Latin America", Ambassadors: 2,
		Description: "Mexico, Central and South America and the Caribbean.",
		Countries: []string{"MX", "BR", "AR", "CL", "CO", "PE", "UY", "EC", "VE", "CR", "PA", "GT", "DO", "BO", "PY",
			"CU", "JM"}},
	{Key: "africa-middle-east", Name: "Africa and Middle East", Ambassadors: 2,
		Description: "The African continent and the Middle East.",
		Countries: []string{"ZA", "NG", "KE", "EG", "MA", "GH", "ET", "TZ", "UG", "RW", "SN", "TN", "DZ", "AE", "SA",
			"IL", "JO", "QA", "KW", "BH", "OM", "LB"}},
}

// Group statuses, as strings so the tables stay readable.
const (
	stProposed = "PROPOSED"
	stActive   = "ACTIVE"
	stOfficial = "OFFICIAL"
	stRejected = "REJECTED"
	// stWithdrawn: the group of a request its applicant took back.
	stWithdrawn = "WITHDRAWN"
	stDormant   = "DORMANT"
	stArchived  = "ARCHIVED"
)

// openStackGroups are OpenStack's established groups.
var openStackGroups = []place{
	// Europe
	{Name: "Paris, France", City: "Paris", Country: "FR", TZ: "Europe/Paris", Lat: 48.8566, Lon: 2.3522, Region: "europe", Status: stOfficial},
	{Name: "London {Stackers}", City: "London", Country: "GB", TZ: "Europe/London", Lat: 51.5074, Lon: -0.1278, Region: "europe", Status: stOfficial},
	{Name: "Berlin", City: "Berlin", Country: "DE", TZ: "Europe/Berlin", Lat: 52.5200, Lon: 13.4050, Region: "europe", Status: stOfficial},
	{Name: "Munich", City: "Munich", Country: "DE", TZ: "Europe/Berlin", Lat: 48.1351, Lon: 11.5820, Region: "europe", Status: stActive},
	{Name: "Amsterdam", City: "Amsterdam", Country: "NL", TZ: "Europe/Amsterdam", Lat: 52.3676, Lon: 4.9041, Region: "europe", Status: stOfficial},
	{Name: "Stockholm", City: "Stockholm", Country: "SE", TZ: "Europe/Stockholm", Lat: 59.3293, Lon: 18.0686, Region: "europe", Status: stActive},
	{Name: "Madrid", City: "Madrid", Country: "ES", TZ: "Europe/Madrid", Lat: 40.4168, Lon: -3.7038, Region: "europe", Status: stActive},
	{Name: "Barcelona {Núvol Obert}", City: "Barcelona", Country: "ES", TZ: "Europe/Madrid", Lat: 41.3874, Lon: 2.1686, Region: "europe", Status: stDormant},
	{Name: "Milan", City: "Milan", Country: "IT", TZ: "Europe/Rome", Lat: 45.4642, Lon: 9.1900, Region: "europe", Status: stOfficial},
	{Name: "Warsaw", City: "Warsaw", Country: "PL", TZ: "Europe/Warsaw", Lat: 52.2297, Lon: 21.0122, Region: "europe", Status: stActive},
	{Name: "Prague", City: "Prague", Country: "CZ", TZ: "Europe/Prague", Lat: 50.0755, Lon: 14.4378, Region: "europe", Status: stActive},
	{Name: "Zurich", City: "Zurich", Country: "CH", TZ: "Europe/Zurich", Lat: 47.3769, Lon: 8.5417, Region: "europe", Status: stOfficial},
	{Name: "Dublin", City: "Dublin", Country: "IE", TZ: "Europe/Dublin", Lat: 53.3498, Lon: -6.2603, Region: "europe", Status: stArchived},
	{Name: "Lisbon", City: "Lisbon", Country: "PT", TZ: "Europe/Lisbon", Lat: 38.7223, Lon: -9.1393, Region: "europe", Status: stActive},
	{Name: "Helsinki", City: "Helsinki", Country: "FI", TZ: "Europe/Helsinki", Lat: 60.1699, Lon: 24.9384, Region: "europe", Status: stDormant},
	{Name: "Vienna", City: "Vienna", Country: "AT", TZ: "Europe/Vienna", Lat: 48.2082, Lon: 16.3738, Region: "europe", Status: stOfficial},
	{Name: "Istanbul", City: "Istanbul", Country: "TR", TZ: "Europe/Istanbul", Lat: 41.0082, Lon: 28.9784, Region: "europe", Status: stActive},
	// North America
	{Name: "Bay Area {Stackers}", City: "San Francisco", Country: "US", TZ: "America/Los_Angeles", Lat: 37.7749, Lon: -122.4194, Region: "north-america", Status: stOfficial},
	{Name: "Seattle", City: "Seattle", Country: "US", TZ: "America/Los_Angeles", Lat: 47.6062, Lon: -122.3321, Region: "north-america", Status: stActive},
	{Name: "Austin, Texas", City: "Austin", Country: "US", TZ: "America/Chicago", Lat: 30.2672, Lon: -97.7431, Region: "north-america", Status: stOfficial},
	{Name: "New York City", City: "New York", Country: "US", TZ: "America/New_York", Lat: 40.7128, Lon: -74.0060, Region: "north-america", Status: stOfficial},
	{Name: "Boston", City: "Boston", Country: "US", TZ: "America/New_York", Lat: 42.3601, Lon: -71.0589, Region: "north-america", Status: stActive},
	{Name: "Toronto", City: "Toronto", Country: "CA", TZ: "America/Toronto", Lat: 43.6532, Lon: -79.3832, Region: "north-america", Status: stOfficial},
	{Name: "Montreal {Nuage Québec}", City: "Montreal", Country: "CA", TZ: "America/Toronto", Lat: 45.5017, Lon: -73.5673, Region: "north-america", Status: stActive},
	{Name: "Vancouver", City: "Vancouver", Country: "CA", TZ: "America/Vancouver", Lat: 49.2827, Lon: -123.1207, Region: "north-america", Status: stActive},
	{Name: "Chicago", City: "Chicago", Country: "US", TZ: "America/Chicago", Lat: 41.8781, Lon: -87.6298, Region: "north-america", Status: stDormant},
	{Name: "Raleigh-Durham", City: "Raleigh", Country: "US", TZ: "America/New_York", Lat: 35.7796, Lon: -78.6382, Region: "north-america", Status: stActive},
	// Asia Pacific
	{Name: "Tokyo", City: "Tokyo", Country: "JP", TZ: "Asia/Tokyo", Lat: 35.6762, Lon: 139.6503, Region: "asia-pacific", Status: stOfficial},
	{Name: "Seoul {Korea Stackers}", City: "Seoul", Country: "KR", TZ: "Asia/Seoul", Lat: 37.5665, Lon: 126.9780, Region: "asia-pacific", Status: stOfficial},
	{Name: "Bangalore", City: "Bangalore", Country: "IN", TZ: "Asia/Kolkata", Lat: 12.9716, Lon: 77.5946, Region: "asia-pacific", Status: stOfficial},
	{Name: "Pune", City: "Pune", Country: "IN", TZ: "Asia/Kolkata", Lat: 18.5204, Lon: 73.8567, Region: "asia-pacific", Status: stActive},
	{Name: "New Delhi", City: "New Delhi", Country: "IN", TZ: "Asia/Kolkata", Lat: 28.6139, Lon: 77.2090, Region: "asia-pacific", Status: stActive},
	{Name: "Singapore", City: "Singapore", Country: "SG", TZ: "Asia/Singapore", Lat: 1.3521, Lon: 103.8198, Region: "asia-pacific", Status: stActive},
	{Name: "Sydney", City: "Sydney", Country: "AU", TZ: "Australia/Sydney", Lat: -33.8688, Lon: 151.2093, Region: "asia-pacific", Status: stOfficial},
	{Name: "Melbourne", City: "Melbourne", Country: "AU", TZ: "Australia/Melbourne", Lat: -37.8136, Lon: 144.9631, Region: "asia-pacific", Status: stActive},
	{Name: "New Zealand", City: "Wellington", Country: "NZ", TZ: "Pacific/Auckland", Lat: -41.2865, Lon: 174.7762, Region: "asia-pacific", Status: stOfficial},
	{Name: "Taipei", City: "Taipei", Country: "TW", TZ: "Asia/Taipei", Lat: 25.0330, Lon: 121.5654, Region: "asia-pacific", Status: stActive},
	{Name: "Jakarta", City: "Jakarta", Country: "ID", TZ: "Asia/Jakarta", Lat: -6.2088, Lon: 106.8456, Region: "asia-pacific", Status: stDormant},
	{Name: "Hong Kong", City: "Hong Kong", Country: "HK", TZ: "Asia/Hong_Kong", Lat: 22.3193, Lon: 114.1694, Region: "asia-pacific", Status: stArchived},
	{Name: "Manila", City: "Manila", Country: "PH", TZ: "Asia/Manila", Lat: 14.5995, Lon: 120.9842, Region: "asia-pacific", Status: stActive},
	{Name: "Ho Chi Minh City", City: "Ho Chi Minh City", Country: "VN", TZ: "Asia/Ho_Chi_Minh", Lat: 10.8231, Lon: 106.6297, Region: "asia-pacific", Status: stActive},
	// Latin America
	{Name: "São Paulo", City: "São Paulo", Country: "BR", TZ: "America/Sao_Paulo", Lat: -23.5505, Lon: -46.6333, Region: "latin-america", Status: stOfficial},
	{Name: "Buenos Aires", City: "Buenos Aires", Country: "AR", TZ: "America/Argentina/Buenos_Aires", Lat: -34.6037, Lon: -58.3816, Region: "latin-america", Status: stActive},
	{Name: "Mexico City", City: "Mexico City", Country: "MX", TZ: "America/Mexico_City", Lat: 19.4326, Lon: -99.1332, Region: "latin-america", Status: stActive},
	{Name: "Bogotá", City: "Bogotá", Country: "CO", TZ: "America/Bogota", Lat: 4.7110, Lon: -74.0721, Region: "latin-america", Status: stActive},
	{Name: "Santiago, Chile", City: "Santiago", Country: "CL", TZ: "America/Santiago", Lat: -33.4489, Lon: -70.6693, Region: "latin-america", Status: stDormant},
	{Name: "Lima", City: "Lima", Country: "PE", TZ: "America/Lima", Lat: -12.0464, Lon: -77.0428, Region: "latin-america", Status: stArchived},
	// Africa and Middle East
	{Name: "Nairobi", City: "Nairobi", Country: "KE", TZ: "Africa/Nairobi", Lat: -1.2921, Lon: 36.8219, Region: "africa-middle-east", Status: stActive},
	{Name: "Lagos", City: "Lagos", Country: "NG", TZ: "Africa/Lagos", Lat: 6.5244, Lon: 3.3792, Region: "africa-middle-east", Status: stActive},
	{Name: "Cape Town", City: "Cape Town", Country: "ZA", TZ: "Africa/Johannesburg", Lat: -33.9249, Lon: 18.4241, Region: "africa-middle-east", Status: stOfficial},
	{Name: "Cairo", City: "Cairo", Country: "EG", TZ: "Africa/Cairo", Lat: 30.0444, Lon: 31.2357, Region: "africa-middle-east", Status: stActive},
	{Name: "Tel Aviv", City: "Tel Aviv", Country: "IL", TZ: "Asia/Jerusalem", Lat: 32.0853, Lon: 34.7818, Region: "africa-middle-east", Status: stOfficial},
	{Name: "Dubai", City: "Dubai", Country: "AE", TZ: "Asia/Dubai", Lat: 25.2048, Lon: 55.2708, Region: "africa-middle-east", Status: stActive},
}

// proposal is a NEW_GROUP request for OpenStack and how far its review got.
type proposal struct {
	place
	AppStatus string   // application status
	Omit      []string // answers the request leaves out, which the screening then finds missing
	// Description and Link replace the usual answers when set; the
	// screening flags what they say.
	Description, Link string
	Objection         string // "open", "resolved" or ""
	Reason            string // decision reason for decided requests
}

// openStackProposals are the requests in OpenStack's "waiting for approval"
// queue (open) and a few decided ones whose groups ended REJECTED.
var openStackProposals = []proposal{
	{place: place{Name: "Oakland {East Bay Stackers}", City: "Oakland", Country: "US", TZ: "America/Los_Angeles", Lat: 37.8044, Lon: -122.2712, Region: "north-america"}, AppStatus: "IN_REVIEW"},
	{place: place{Name: "Cambridge, Massachusetts", City: "Cambridge", Country: "US", TZ: "America/New_York", Lat: 42.3736, Lon: -71.1097, Region: "north-america"}, AppStatus: "NEEDS_INFO"},
	{place: place{Name: "Yokohama", City: "Yokohama", Country: "JP", TZ: "Asia/Tokyo", Lat: 35.4437, Lon: 139.6380, Region: "asia-pacific"}, AppStatus: "SUBMITTED"},
	{place: place{Name: "Rotterdam", City: "Rotterdam", Country: "NL", TZ: "Europe/Amsterdam", Lat: 51.9244, Lon: 4.4777, Region: "europe"}, AppStatus: "OBJECTION_WINDOW"},
	{place: place{Name: "Hyderabad", City: "Hyderabad", Country: "IN", TZ: "Asia/Kolkata", Lat: 17.3850, Lon: 78.4867, Region: "asia-pacific"}, AppStatus: "OBJECTION_WINDOW", Objection: "open"},
	{place: place{Name: "Kraków", City: "Kraków", Country: "PL", TZ: "Europe/Warsaw", Lat: 50.0647, Lon: 19.9450, Region: "europe"}, AppStatus: "SUBMITTED", Omit: []string{"link"}},
	{place: place{Name: "Accra", City: "Accra", Country: "GH", TZ: "Africa/Accra", Lat: 5.6037, Lon: -0.1870, Region: "africa-middle-east"}, AppStatus: "IN_REVIEW"},
	{place: place{Name: "Porto", City: "Porto", Country: "PT", TZ: "Europe/Lisbon", Lat: 41.1579, Lon: -8.6291, Region: "europe"}, AppStatus: "OBJECTION_WINDOW", Objection: "resolved"},
	{place: place{Name: "Brisbane {Queensland Stackers}", City: "Brisbane", Country: "AU", TZ: "Australia/Brisbane", Lat: -27.4698, Lon: 153.0251, Region: "asia-pacific"}, AppStatus: "SUBMITTED"},
	{place: place{Name: "Guadalajara", City: "Guadalajara", Country: "MX", TZ: "America/Mexico_City", Lat: 20.6597, Lon: -103.3496, Region: "latin-america"}, AppStatus: "NEEDS_INFO", Omit: []string{"description"}},
	// Decided requests; their groups are REJECTED.
	{place: place{Name: "Frankfurt {Cheap Cloud Servers}", City: "Frankfurt", Country: "DE", TZ: "Europe/Berlin", Lat: 50.1109, Lon: 8.6821, Region: "europe"}, AppStatus: "REJECTED",
		Description: "OpenStack hosting at the best price: cheap cloud servers, a free trial and member discounts at every meetup.",
		Link:        "https://cheap-cloud-servers.example.com/meetup",
		Reason:      "The page advertises a hosting offer. User groups are non-commercial; see https://groups.openstack.org/what-are-user-groups for what a group is."},
	{place: place{Name: "Lyon {IT Professionals}", City: "Lyon", Country: "FR", TZ: "Europe/Paris", Lat: 45.7640, Lon: 4.8357, Region: "europe"}, AppStatus: "REJECTED",
		Description: "A monthly meetup for IT professionals in Lyon: programming, web design and the latest in cloud and devops.",
		Link:        "https://meetup.example.com/lyon-it-professionals",
		Reason:      "This is a general IT meetup rather than an OpenStack user group; you are welcome to apply again with an OpenStack focus."},
	{place: place{Name: "San Mateo", City: "San Mateo", Country: "US", TZ: "America/Los_Angeles", Lat: 37.5630, Lon: -122.3255, Region: "north-america"}, AppStatus: "WITHDRAWN",
		Reason: "Withdrawn by the applicant, who now co-organizes with the Bay Area group."},
	{place: place{Name: "Gurgaon", City: "Gurgaon", Country: "IN", TZ: "Asia/Kolkata", Lat: 28.4595, Lon: 77.0266, Region: "asia-pacific"}, AppStatus: "EXPIRED",
		Reason: "Expired: the New Delhi request covering the same area was approved first."},
}

// Chinese family and given names in pinyin, combined at random.
var cnFamily = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
	"Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng",
	"Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng",
	"Wei", "Su", "Ding", "Ren", "Shen", "Yao", "Lu", "Jin", "Qian", "Fan", "Fu", "Meng", "Qiu", "Bai"}

var cnGiven = []string{"Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie", "Tao", "Ming",
	"Chao", "Xiu", "Hua", "Ping", "Gang", "Hui", "Lin", "Bo", "Yu", "Hao", "Kai", "Xin", "Yue", "Qiang", "Ning",
	"Dan", "Rui", "Ting", "Peng", "Yi", "Shan", "Zhen", "Zihan", "Yuxuan", "Haoran", "Yichen", "Jiayi", "Xinyi",
	"Zixuan", "Mingyu", "Junjie", "Siyu", "Wenjing", "Xiaoming", "Jianguo", "Guoqiang", "Haiyan", "Lijuan",
	"Yanan", "Zhiwei", "Tianyu", "Ruoxi", "Mengyao", "Shuang", "Kexin", "Yiran", "Bowen", "Chenxi", "Jiahui",
	"Shiyu", "Yufei", "Zhihao", "Xueying"}

// International given and family names, combined at random.
var intlGiven = []string{"Ada", "Alan", "Amara", "Ana", "André", "Anika", "Arjun", "Astrid", "Ayaan", "Beatriz",
	"Bruno", "Camille", "Carlos", "Chidi", "Chloe", "Daniel", "Diego", "Elena", "Emeka", "Emma", "Fatima", "Felipe",
	"Freya", "Gabriel", "Hana", "Hiroshi", "Inés", "Ivan", "Jakub", "James", "Jana", "Javier", "Jin", "Jonas",
	"Kaito", "Kavya", "Kofi", "Lars", "Laura", "Leila", "Liam", "Lucas", "Lucía", "Maja", "Malik", "Marco", "Maria",
	"Mateo", "Mei", "Mohammed", "Nadia", "Naledi", "Nikhil", "Noah", "Nora", "Olga", "Omar", "Oscar", "Paulo",
	"Priya", "Rafael", "Ravi", "Rosa", "Sakura", "Samir", "Sara", "Sebastian", "Sofia", "Sven", "Tariq", "Thabo",
	"Tomás", "Valentina", "Viktor", "Wanjiru", "Yara", "Yusuf", "Zainab", "Zoe", "Ines", "Hugo", "Ingrid", "Kenji",
	"Amit", "Sipho", "Lena", "Mikael", "Ayesha", "Joon", "Farah"}

var intlFamily = []string{"Abara", "Adeyemi", "Almeida", "Andersen", "Bauer", "Bianchi", "Brennan", "Castillo",
	"Chandra", "Costa", "Dubois", "Eriksson", "Fernandes", "Fischer", "García", "Gomez", "Haddad", "Hansen",
	"Hoffmann", "Ibrahim", "Ito", "Jensen", "Kamau", "Kaplan", "Kim", "Kowalski", "Kumar", "Laurent", "Lindqvist",
	"Lopez", "Mahlangu", "Martin", "Mensah", "Moreau", "Morales", "Müller", "Nakamura", "Nguyen", "Novak",
	"Novotný", "Okafor", "Olsen", "Ortiz", "Osei", "Park", "Patel", "Pereira", "Petrov", "Popescu", "Rahman",
	"Reyes", "Ribeiro", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Torres",
	"Tran", "Van Dijk", "Varga", "Wagner", "Walker", "Weber", "Wong", "Yamamoto", "Yilmaz", "Zhou", "Zimmermann",
	"Santos", "Cohen", "Nowak", "Kovács", "Lindgren", "Murphy", "O'Brien", "Mwangi", "Banerjee", "Reddy"}

// Organization name parts. The words are invented, so no name belongs to a
// real company.
var cnOrgWords = []string{"Feiyun", "Qingteng", "Lingxi", "Tianqiong", "Yunfan", "Xinghe", "Baiyu", "Zhiyuan",
	"Haina", "Ruixin", "Qiming", "Lanting", "Mingde", "Chenguang", "Yunxi", "Kaiyuan", "Xinyuan", "Tianhe", "Jiahe",
	"Ruiyun", "Boya", "Shanhai", "Xingyun", "Jinghong", "Huiming", "Songtao", "Zhuoyue", "Yaoguang", "Qinglan",
	"Wanxiang", "Dingsheng", "Hongtu", "Yuanjing", "Zhixing", "Lianchuang", "Shengda"}

var cnOrgKinds = []string{"Software", "Data Technology", "Information Technology", "Cloud Computing",
	"Network Technology", "Intelligent Systems", "Digital Technology", "Computing"}

var intlOrgWords = []string{"Aldermoor", "Brightwater", "Cinderpeak", "Driftwood", "Emberline", "Fernhollow",
	"Glasswing", "Harborlight", "Ironbark", "Kestrelway", "Lumenfield", "Moonrise", "Northwind", "Oakridge",
	"Pinecrest", "Quarrystone", "Riverbend", "Silverline", "Tidewater", "Umberfield", "Valewood", "Westbrook",
	"Yellowpine", "Zephyrine", "Amberly", "Bluegate", "Copperleaf", "Deepwell", "Eastmarch", "Foxglove",
	"Greystone", "Highmoor", "Kingsford", "Larkspur", "Meadowlark", "Nettlebrook", "Orchardine", "Palisade",
	"Redfern", "Stonebridge", "Thornbury", "Uplandia", "Wrenfield", "Ashgrove", "Birchwick", "Coldharbor"}

var intlOrgKinds = []string{"Cloud", "Systems", "Networks", "Data", "Labs", "Hosting", "Software", "Telecom",
	"Consulting", "Analytics", "Research", "Infrastructure"}

// globalVendors are international companies that partner with both communities.
var globalVendors = []struct{ Name, Country string }{
	{"Northwind Cloud Group", "US"}, {"Silverline Compute", "DE"}, {"Aldermoor Hardware", "GB"},
	{"Tidewater Networks International", "NL"}, {"Highmoor Semiconductors", "JP"}, {"Bluegate Open Systems", "FR"},
	{"Copperleaf Storage", "US"}, {"Riverbend Telecom Global", "SE"},
}

// Topics for talks and event titles.
var openEulerTopics = []string{
	"Kernel tuning on Arm servers", "Migrating workloads from CentOS", "Container runtimes with iSulad",
	"Automatic performance tuning with A-Tune", "Confidential computing with secGear",
	"Lightweight virtualization with StratoVirt", "openEuler Embedded at the edge", "Hot patching in production",
	"Security hardening checklists", "Running databases on openEuler", "AI frameworks on openEuler",
	"Immutable hosts for Kubernetes", "Packaging software for openEuler", "Observability with eBPF",
	"Upgrading between LTS releases", "Building a local mirror", "Memory tiering on large servers",
	"Porting applications to RISC-V",
}

var openStackTopics = []string{
	"Nova scheduling in practice", "Running Kolla-Ansible in production", "Load balancing with Octavia",
	"Bare metal provisioning with Ironic", "Surviving a release upgrade", "Migrating Neutron to OVN",
	"Ceph behind Cinder and Glance", "Kubernetes clusters with Magnum", "Deploying with OpenStack-Helm",
	"Federated identity with Keystone", "Observability for cloud operators", "Edge sites with distributed compute",
	"GPU scheduling for AI workloads", "Your first upstream patch", "Capacity planning for private clouds",
	"Object storage with Swift", "Billing and quotas in a public cloud", "Hardening the control plane",
}

var streets = []string{"Harbour", "Station", "Market", "Garden", "Lake", "Hill", "River", "College", "Park",
	"Bridge", "Mill", "Orchard", "Castle", "Meadow", "Forest", "Spring"}

var sponsorCovers = []string{"Venue", "Food and drinks", "Venue and coffee", "Pizza", "Swag and stickers",
	"Video recording", "Evening reception"}

var guestSpeakers = []string{"Dr. Morgan Reed", "Alex Rivera", "Sam Okoye", "Jordan Lee", "Taylor Brooks",
	"Casey Nakagawa", "Robin Achterberg", "Kim Dalton", "Avery Sun", "Quinn Holloway"}

// currencies maps a country to the currency funding is requested in.
var currencies = map[string]string{
	"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "IT": "EUR", "ES": "EUR",
	"AT": "EUR", "PT": "EUR", "PL": "PLN", "CZ": "CZK", "SE": "SEK", "CH": "CHF", "TR": "TRY", "JP": "JPY",
	"KR": "KRW", "IN": "INR", "SG": "SGD", "AU": "AUD", "NZ": "NZD", "TW": "TWD", "PH": "PHP", "VN": "VND",
	"BR": "BRL", "AR": "ARS", "MX": "MXN", "CO": "COP", "KE": "KES", "NG": "NGN", "ZA": "ZAR", "EG": "EGP",
	"IL": "ILS", "AE": "AED", "CN": "CNY",
}
