package seed

import "github.com/usergroups/usergroups/ent/role"

// Person is one of the demo's people the README introduces: who they are
// and the role they hold, so that `usergroups token demo` can sign a
// reader in as each role and check that the data set still gives them it.
type Person struct {
	// Var is the suffix of the TOKEN_<Var> variable `token demo` prints.
	Var string
	// Handle signs them in on the command line (`token create --user`).
	Handle, Name, Email string
	// Kind is the role they hold, in the community with slug Community
	// and, for a group's role, in the group with slug Group.
	Kind             role.Kind
	Community, Group string
}

// People are the demo's people by role. The data set is deterministic
// (same ids, names and handles on every load), so these stay true until
// the generator changes, which `token demo` would report.
var People = []Person{
	{Var: "ADMIN", Handle: "admin", Name: "Demo Administrator", Email: "admin@example.org", Kind: role.KindADMIN},
	{Var: "STAFF", Handle: "shuang.xu", Name: "Xu Shuang", Email: "shuang.xu@example.com", Kind: role.KindCOMMUNITY_MANAGER, Community: "openeuler"},
	{Var: "AMBASSADOR", Handle: "yichen.peng", Name: "Peng Yichen", Email: "yichen.peng@example.org", Kind: role.KindAMBASSADOR, Community: "openeuler", Group: "beijing"},
	{Var: "ORGANIZER", Handle: "xueying.zheng", Name: "Zheng Xueying", Email: "xueying.zheng@example.net", Kind: role.KindORGANIZER, Community: "openeuler", Group: "beijing"},
	{Var: "MEMBER", Handle: "zhen.ding", Name: "Ding Zhen", Email: "zhen.ding@example.com", Kind: role.KindMEMBER, Community: "openeuler", Group: "beijing"},
	{Var: "OPENSTACK_STAFF", Handle: "priya.ribeiro", Name: "Priya Ribeiro", Email: "priya.ribeiro@example.org", Kind: role.KindCOMMUNITY_MANAGER, Community: "openstack"},
	{Var: "OPENSTACK_AMBASSADOR", Handle: "jakub.hansen", Name: "Jakub Hansen", Email: "jakub.hansen@example.org", Kind: role.KindAMBASSADOR, Community: "openstack"},
}
