// API answers the console's tests fake, in one place, so tests/contract.test.js can check each against the API's own
// document (contract/openapi.json): a field the API renamed or no longer sends breaks the contract test first.
export const wang = { id: 7, name: '王建国', gender: 'Male', age: 81, maskedIdNumber: '**************0012', maskedPhone: '139****5678', community: '幸福里社区', stationId: 1, status: 'Active', groups: 'LivingAlone' };

export const wangFile = { id: 7, name: '王建国', gender: 'Male', age: 81, maskedIdNumber: '**************0012', phone: '13912345678', address: '学院路1号', community: '幸福里社区', abilityLevel: 0, groups: 'LivingAlone', status: 'Active', emergencyContacts: [], dailyCheckInAt: null };

export const waitingBinding = { id: 5, elderId: 7, elderName: '王建国', familyMemberId: 3, familyName: '王丽', familyPhone: '139****2222', relation: '女儿', status: 'Pending' };
